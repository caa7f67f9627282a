"""Limits on guesses and anonymous filings, counted in the database so that every
server process (``motcua serve --workers N``, two servers behind a proxy) shares them.

Guesses (``guarded``): the check of a guess runs inside the throttle's transaction,
which first takes a lock per target (a dossier code, a username) and counts the recent
failures of the target and of the client; a wrong guess is recorded before the lock is
released. So 50 parallel guesses at one dossier get 10 checks, a right look-up writes
nothing (and never erases failures counted against another dossier), and citizens who
share one address (a commune office) are not blocked by each other's right look-ups.

Filings (``admit``/``take_back``): each filing is recorded before it is made and taken
back if it is refused or repeated. Nothing sleeps: over the limit, the request is
refused at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from motcua.domain.errors import MotcuaError, TooManyAttempts
from motcua.services.context import Context, UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_s: int


GUESSES = Limit(10, 15 * 60)  # tracking digits, passwords: 10 per 15 minutes
TOO_MANY_GUESSES = "Ông/Bà đã nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút."


def _keys(keys: Sequence[str]) -> tuple[str, ...]:
    return tuple(k[:160] for k in keys)


def guarded(ctx: Context, limit: Limit, *, targets: Sequence[str], clients: Sequence[str],
            guess: Callable[[UnitOfWork], T | None], message: str = TOO_MANY_GUESSES) -> T:
    """``guess(uow)`` checked under the throttle: ``TooManyAttempts`` when a target or a
    client already has ``limit.attempts`` failures in the window; a guess that raises a
    ``MotcuaError`` or returns ``None`` is a failure, recorded against every key."""
    now = ctx.clock.now()
    since = now - timedelta(seconds=limit.window_s)
    targets, clients = _keys(targets), _keys(clients)
    with ctx.uow() as uow:
        if not uow.throttle.lock_and_check(targets, clients, since, limit.attempts):
            raise TooManyAttempts(message)
        try:
            result = guess(uow)
        except MotcuaError:
            uow.throttle.record([*targets, *clients], now, since)
            uow.commit()
            raise
        if result is None:
            uow.throttle.record([*targets, *clients], now, since)
        uow.commit()
    return result


@dataclass(frozen=True)
class Attempt:
    """A filing let through: its rows, taken back if it is refused or repeated."""

    ids: tuple[int, ...]


def admit(ctx: Context, limit: Limit, *, targets: Sequence[str], message: str) -> Attempt:
    """Record an attempt against every target, atomically; ``TooManyAttempts`` (nothing
    recorded) when one already has ``limit.attempts`` in its window."""
    now = ctx.clock.now()
    since = now - timedelta(seconds=limit.window_s)
    with ctx.uow() as uow:
        ids = uow.throttle.admit(_keys(targets), since, now, limit.attempts)
        if ids is None:
            raise TooManyAttempts(message)  # rolled back: the refused attempt is not counted
        uow.commit()
    return Attempt(tuple(ids))


def take_back(ctx: Context, attempt: Attempt) -> None:
    """Take back a recorded attempt (a refused or repeated filing)."""
    with ctx.uow() as uow:
        uow.throttle.forget(attempt.ids)
        uow.commit()
