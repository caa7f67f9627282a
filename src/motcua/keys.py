"""The installation's secrets, kept in files outside the database, readable by its owner
only (0600): the audit key (seals the audit record) and the session key (signs cookies).

A missing file is created with a new random key; the backup (``motcua backup``) copies
both, since a restored database without its audit key cannot be verified.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path


def _created(path: Path) -> int | None:
    """A descriptor of ``path`` newly created with mode 0600, or None if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return None


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (an SQLite file, a key)."""
    fd = _created(Path(path))
    if fd is not None:
        os.close(fd)


def secret(path: Path) -> str:
    """The key kept in ``path``, created (0600, 43 random URL-safe characters) if absent."""
    path = Path(path)
    fd = _created(path)
    if fd is None:
        text = path.read_text("utf-8").strip()
        if len(text) < 32:
            raise ValueError(f"{path}: khóa quá ngắn (cần ít nhất 32 ký tự)")
        return text
    value = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(value + "\n")
    return value


def same_secret(given: str, expected: str) -> bool:
    """Whether a secret someone sent (a webhook's key, any text) is the expected one, in
    constant time; text that is not ASCII is compared as UTF-8, never refused with an
    error."""
    return hmac.compare_digest((given or "").encode(), expected.encode())

