"""Environment settings (prefix ``CW_``), parsed once at the edge and passed down."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the program keeps its data and how it logs; read from ``CW_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="CW_", extra="ignore")

    database_url: str = Field(default="", description="SQLAlchemy URL; default: SQLite under data_dir")
    data_dir: Path = Path("./var")
    output_dir: Path = Path("./out")
    log_level: str = "INFO"
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    #: where people open the web app (``https://cw.example.gov.cn``): messages link to pages under it
    public_url: str = Field(default="", description="public address of the web app; links in messages start here")
    #: 天地图 browser key (tk): the interactive maps of the briefs use 天地图 tiles; empty: offline, no tiles
    tianditu_key: str = Field(default="", description="天地图 browser key for the interactive brief maps")

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v and (urlsplit(v).scheme not in ("http", "https") or not urlsplit(v).netloc):
            raise ValueError(f"CW_PUBLIC_URL must be an http(s) address such as https://cw.example.gov.cn, got {v!r}")
        return v

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``<data_dir>/chuangwei.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'chuangwei.db').resolve()}"

    @property
    def prefect_home(self) -> Path:
        """Prefect's home folder, kept under the data dir so no user has to set it."""
        return (self.data_dir / "prefect").resolve()

    @property
    def photo_dir(self) -> Path:
        return (self.data_dir / "photos").resolve()

    @property
    def log_dir(self) -> Path:
        return (self.data_dir / "logs").resolve()


def load_settings() -> Settings:
    """Settings from the environment, parsed again only when a ``CW_`` variable changed (flows ask for
    them once per step, the relay once a minute). Treat the result as read-only: it is shared."""
    return _settings(tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("CW_"))))


@functools.lru_cache(maxsize=8)
def _settings(_environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()
