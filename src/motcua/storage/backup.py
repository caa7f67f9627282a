"""The database copied out and back: SQLite through its online backup API (a consistent
copy while the server runs), PostgreSQL through ``pg_dump``/``pg_restore`` (custom format).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.keys import private_file
from motcua.storage import tables as t
from motcua.storage.db import normalise_url


def _libpq_url(url: str) -> str:
    """A URL for pg_dump and pg_restore (no SQLAlchemy driver name)."""
    return normalise_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


def sqlite_path(url: str) -> Path | None:
    parsed = sa.engine.make_url(normalise_url(url))
    return Path(parsed.database) if parsed.drivername.startswith("sqlite") else None


def dump(url: str, out_dir: Path) -> Path:
    """Copy the database into ``out_dir``; the file written."""
    path = sqlite_path(url)
    if path is not None:
        target = out_dir / "database.sqlite3"
        private_file(target)
        source = sqlite3.connect(path)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    target = out_dir / "database.pgdump"
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), _libpq_url(url)])
    target.chmod(0o600)
    return target


def load(url: str, dump_file: Path) -> None:
    """Put a dump back: the SQLite file replaced, or the PostgreSQL schema recreated."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        tmp = path.with_name(path.name + ".restoring")
        shutil.copyfile(dump_file, tmp)
        tmp.chmod(0o600)
        tmp.replace(path)
        return
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--dbname", _libpq_url(url), str(dump_file)])


def is_empty(engine: Engine) -> bool:
    """Whether the database has no dossiers (or no schema yet)."""
    if not sa.inspect(engine).has_table("dossiers"):
        return True
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.dossiers)).scalar() == 0


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for name, table in (("dossiers", t.dossiers), ("audit_events", t.audit_events),
                                    ("attachments", t.attachments))}


def referenced_files(engine: Engine) -> set[str]:
    """SHA-256 of every stored file a record points to."""
    with engine.connect() as conn:
        return set(conn.execute(sa.select(t.attachments.c.sha256).distinct()).scalars())


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise RuntimeError(f"Không tìm thấy lệnh {command[0]} (cài gói postgresql-client)."
                           ) from None
    except subprocess.CalledProcessError as exc:
        first = (exc.stderr or "").strip().splitlines()[:1]
        raise RuntimeError(f"{command[0]} thất bại: {first[0] if first else exc}") from None
