"""Uploaded files on disk, stored under their SHA-256 (content-addressed).

The same bytes are stored once; a file is written to a temporary name and
renamed, so a crash never leaves half a file under a real name. Who may read a
file is decided by the web layer from the dossier, never by the path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            os.utime(target)  # in use again: ``motcua files sweep`` leaves young files alone
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def stored(self) -> Iterator[tuple[str, Path]]:
        """(SHA-256, path) of every file kept."""
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            if len(path.name) == 64 and not path.name.startswith("."):
                yield path.name, path

    def leftovers(self, older_than_s: float) -> list[Path]:
        """Temporary files of writes a crash interrupted, older than ``older_than_s``."""
        if not self.root.exists():
            return []
        limit = time.time() - older_than_s
        return [p for p in self.root.glob("??/??/.tmp-*") if p.stat().st_mtime < limit]

    def intact(self, sha256: str) -> bool | None:
        """None if the file is missing, else whether its bytes still hash to its name."""
        path = self.path(sha256)
        return file_sha256(path) == sha256 if path.exists() else None


def file_sha256(path: Path) -> str:
    """SHA-256 of a file on disk, read a megabyte at a time."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
