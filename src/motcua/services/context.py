"""What a use case needs from the outside world, built by ``motcua.bootstrap``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from motcua.domain.calendar import WorkingCalendar


class Clock(Protocol):
    def now(self) -> datetime: ...


class Files(Protocol):
    def put(self, data: bytes) -> str: ...

    def read(self, sha256: str) -> bytes: ...


class UnitOfWork(Protocol):
    """One transaction over the repositories; rolls back unless ``commit()`` is called.

    The repositories are the storage layer's (``storage.uow.SqlUnitOfWork``); services
    only call their methods and never see SQL.
    """

    dossiers: Any
    procedures: Any
    units: Any
    officials: Any
    calendar: Any
    attachments: Any
    tokens: Any
    cchc: Any
    outbox: Any
    data_migrations: Any
    audit: Any
    sessions: Any
    throttle: Any
    submissions: Any
    notifications: Any
    postal: Any

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...

    def rebuild_stats(self) -> None: ...


class Context(Protocol):
    """Services see a unit-of-work factory, the calendar, the clock, settings, files and
    the handlers of dossier events."""

    uow: Callable[[], UnitOfWork]
    events: Any
    files: Files
    calendar: WorkingCalendar
    clock: Clock
    settings: Any
    audit_key: bytes  # seals the audit record; kept outside the database
    catalogue_cache: dict  # public catalogue searches, kept a minute (reports.lists)
    # the tracking look-up's guard awaited on the event loop (storage.guesses), or None
    guesses: Any
