"""Settings, read from the environment (``MOTCUA_*``) and overridable per command."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"MOTCUA_{name}", default)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", "sqlite:///var/motcua.sqlite3"))
    province_code: int = field(default_factory=lambda: int(_env("PROVINCE", "66")))
    place_name: str = field(default_factory=lambda: _env("PLACE_NAME", "Buôn Ma Thuột"))
    office_hours: str = field(default_factory=lambda: _env("OFFICE_HOURS", "07:30-11:30,13:30-17:30"))
    calendar_first_year: int = field(default_factory=lambda: int(_env("CALENDAR_FIRST_YEAR", "2015")))
    calendar_last_year: int = field(default_factory=lambda: int(_env("CALENDAR_LAST_YEAR", "2035")))
    due_soon_share: float = field(default_factory=lambda: float(_env("DUE_SOON_SHARE", "0.2")))
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", "var")))
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", "http://127.0.0.1:8000"))
    upload_dir: Path | None = field(
        default_factory=lambda: Path(v) if (v := os.environ.get("MOTCUA_UPLOAD_DIR")) else None)
    max_upload_mb: float = field(default_factory=lambda: float(_env("MAX_UPLOAD_MB", "20")))
    print_receipt: bool = field(
        default_factory=lambda: _env("PRINT_RECEIPT", "0").lower() in ("1", "true", "yes"))
    # the province's choice: dossier codes start with the unit's code ("unit") or with its
    # national agency identifier where it has one ("agency"); codes already given never change
    dossier_code_prefix: str = field(default_factory=lambda: _env("DOSSIER_CODE_PREFIX", "unit"))

    @property
    def files_dir(self) -> Path:
        """Where uploads are kept: MOTCUA_UPLOAD_DIR, else ``files`` in the data folder."""
        return self.upload_dir or self.data_dir / "files"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def with_database(self, url: str | None) -> Settings:
        return replace(self, database_url=url) if url else self
