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


class Context(Protocol):
    """Services see a unit-of-work factory, the calendar, the clock, settings, files and
    the handlers of dossier events."""

    uow: Callable[[], Any]
    events: Any
    files: Files
    calendar: WorkingCalendar
    clock: Clock
    settings: Any
