"""Pictures for the brief: maps as they are, photos shrunk so a brief stays small enough to mail."""

from __future__ import annotations

import base64
import io
from pathlib import Path

PHOTO_MAX_PX = 900
PHOTO_QUALITY = 80


def photo_jpeg(path: Path | None) -> bytes | None:
    """The photo as a JPEG at most PHOTO_MAX_PX wide or high, upright; None if it is missing."""
    if path is None or not Path(path).is_file():
        return None
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        upright = ImageOps.exif_transpose(image).convert("RGB")
        upright.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
        buffer = io.BytesIO()
        upright.save(buffer, format="JPEG", quality=PHOTO_QUALITY, optimize=True)
    return buffer.getvalue()


def data_uri(content: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"
