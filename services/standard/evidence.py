"""Evidence files (佐证材料) stored by content hash under ``evidence_dir``, like photos."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

MAX_BYTES = 100 * 1024 * 1024
_SAFE = re.compile(r"[^0-9A-Za-z.\-_\u4e00-\u9fff（）()·]+")


def evidence_store(data_dir: Path) -> Path:
    """Where evidence files are kept, by content hash (beside the photo store under the data folder)."""
    return (Path(data_dir) / "evidence").resolve()


def safe_name(name: str, fallback: str = "材料") -> str:
    """A file name that is safe in a zip and on any disk: no folders, no control characters."""
    base = _SAFE.sub("_", Path(name.replace("\\", "/")).name).strip("._ ")
    return base[:120] or fallback


def store(data: bytes, *, evidence_dir: Path, filename: str) -> tuple[str, str]:
    """Write ``data`` once under its SHA-256; (sha256, path relative to ``evidence_dir``)."""
    sha = hashlib.sha256(data).hexdigest()
    suffix = Path(safe_name(filename)).suffix.lower()[:10]
    rel = f"{sha[:2]}/{sha}{suffix}"
    path = evidence_dir / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return sha, rel
