"""Operations an administrator runs: backup and restore (database, files, keys), and
the stored files checked against the record and swept of orphans.

A backup is a folder ``motcua-backup-YYYYMMDD-HHMMSS`` (0700) holding the database copy,
the stored files, the two keys and ``manifest.json`` (what was copied, counts, SHA-256
of the database copy). A restore puts all three back, then runs the audit verification
and the file check, so a restored system is known to be whole before anyone uses it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from motcua import keys
from motcua.bootstrap import App, build
from motcua.settings import Settings
from motcua.storage import backup as db_backup
from motcua.storage.files import file_sha256

FORMAT = 1


class OperationError(Exception):
    """An operation that cannot go on; the message is Vietnamese, for the administrator."""


@dataclass
class FilesReport:
    referenced: int = 0
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not self.missing and not self.damaged


@dataclass
class RestoreReport:
    manifest: dict
    files: FilesReport
    audit_broken: list[tuple[str, str]]


def backup(app: App, out: Path) -> Path:
    """Copy the database, the stored files and the keys into a new folder under ``out``."""
    settings = app.settings
    stamp = app.clock.now().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    target = Path(out) / f"motcua-backup-{stamp}"
    if target.exists():
        raise OperationError(f"Thư mục {target} đã có; chờ một giây rồi chạy lại.")
    target.mkdir(parents=True, mode=0o700)
    database = db_backup.dump(settings.database_url, target)
    copied = 0
    for _, path in app.files.stored():
        dest = target / "files" / path.relative_to(app.files.root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        copied += 1
    (target / "keys").mkdir(mode=0o700)
    for name, path in (("audit.key", settings.audit_key_path),
                       ("secret.key", settings.session_key_path)):
        keys.secret(path)  # exists from here on
        shutil.copy2(path, target / "keys" / name)
        (target / "keys" / name).chmod(0o600)
    manifest = {
        "format": FORMAT, "created_at": datetime.now(UTC).isoformat(),
        "database": {"kind": "sqlite" if database.suffix == ".sqlite3" else "postgresql",
                     "file": database.name, "sha256": file_sha256(database)},
        "counts": {**db_backup.counts(app.engine), "files": copied},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                          "utf-8")
    return target


def _manifest(source: Path) -> dict:
    path = Path(source) / "manifest.json"
    if not path.exists():
        raise OperationError(f"{source} không phải bản sao lưu của motcua (thiếu manifest.json).")
    manifest = json.loads(path.read_text("utf-8"))
    if manifest.get("format") != FORMAT:
        raise OperationError(f"Bản sao lưu định dạng {manifest.get('format')} không được hỗ trợ.")
    database = Path(source) / manifest["database"]["file"]
    if not database.exists() or file_sha256(database) != manifest["database"]["sha256"]:
        raise OperationError(f"Tệp CSDL {database.name} của bản sao lưu thiếu hoặc đã hỏng "
                             "(mã băm không khớp).")
    return manifest


def restore(settings: Settings, source: Path, *, force: bool = False) -> RestoreReport:
    """Put a backup back into ``settings``' database, files folder and key files; then
    verify the audit record and the files. Refuses a database that already has
    dossiers, or keys that differ, unless ``force``."""
    source = Path(source)
    manifest = _manifest(source)
    kind = manifest["database"]["kind"]
    target_is_sqlite = db_backup.sqlite_path(settings.database_url) is not None
    if (kind == "sqlite") != target_is_sqlite:
        raise OperationError(f"Bản sao lưu là CSDL {kind}; không khôi phục vào CSDL loại khác "
                             "(chuyển đổi bằng công cụ riêng).")
    for name, path in (("audit.key", settings.audit_key_path),
                       ("secret.key", settings.session_key_path)):
        kept = (source / "keys" / name).read_text("utf-8")
        if path.exists() and path.read_text("utf-8") != kept and not force:
            raise OperationError(f"Khóa {path} khác khóa trong bản sao lưu; dùng --force để "
                                 "thay (khóa cũ sẽ mất: hãy giữ một bản).")
    existing = _engine_if_exists(settings)
    if existing is not None:
        try:
            if not db_backup.is_empty(existing) and not force:
                raise OperationError("CSDL đích đã có hồ sơ; dùng --force để ghi đè.")
        finally:
            existing.dispose()
    db_backup.load(settings.database_url, source / manifest["database"]["file"])
    for name, path in (("audit.key", settings.audit_key_path),
                       ("secret.key", settings.session_key_path)):
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "keys" / name, path)
        path.chmod(0o600)
    files_root = settings.files_dir
    for path in (source / "files").glob("??/??/*"):
        dest = files_root / path.relative_to(source / "files")
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
    app = build(settings)  # an older backup's schema is upgraded here
    try:
        from motcua.services.audit import verify_audit

        return RestoreReport(manifest, check_files(app), verify_audit(app).broken)
    finally:
        app.close()


def _engine_if_exists(settings: Settings):
    from motcua.storage.db import make_engine

    path = db_backup.sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        return None
    return make_engine(settings.database_url)


def check_files(app: App) -> FilesReport:
    """Every file the record points to is there, with the bytes it was stored with."""
    report = FilesReport()
    for sha256 in sorted(db_backup.referenced_files(app.engine)):
        report.referenced += 1
        state = app.files.intact(sha256)
        if state is None:
            report.missing.append(sha256)
        elif not state:
            report.damaged.append(sha256)
    return report


def sweep_files(app: App, *, grace_s: float = 3600, dry_run: bool = False) -> list[Path]:
    """Remove stored files no record points to (an upload whose act was refused or
    crashed before its commit) and interrupted writes, older than ``grace_s`` (an
    upload is stored a moment before its record commits); what was (or would be)
    removed."""
    import time

    referenced = db_backup.referenced_files(app.engine)
    limit = time.time() - grace_s
    gone = [path for sha256, path in app.files.stored()
            if sha256 not in referenced and path.stat().st_mtime < limit]
    gone += app.files.leftovers(grace_s)
    if not dry_run:
        for path in gone:
            if path.exists() and path.stat().st_mtime < limit:  # not stored again meanwhile
                path.unlink()
    return gone
