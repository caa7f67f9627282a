"""Limits on guesses and anonymous filings, counted in the database so that every
server process (``motcua serve --workers N``, two servers behind a proxy) shares them.

Every attempt is recorded before it is checked, atomically (``ThrottleRepository``):
50 parallel guesses get at most ``limit`` checks. Only an attempt that turned out
right is taken back (``taken_back``), so a correct look-up of one's own dossier never
erases the failures counted against another's. Nothing sleeps: over the limit, the
attempt is refused at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from motcua.services.context import Context


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_s: int


GUESSES = Limit(10, 15 * 60)  # tracking digits, passwords: 10 per 15 minutes


def admit(ctx: Context, keys: Sequence[str], limit: Limit) -> list[int] | None:
    """Record an attempt against every key; ``None`` (nothing recorded) when one of the
    keys already has ``limit.attempts`` in its window."""
    now = ctx.clock.now()
    since = now - timedelta(seconds=limit.window_s)
    keys = [k[:160] for k in keys]
    with ctx.uow() as uow:
        uow.throttle.expire(keys, since)
        ids = uow.throttle.record(keys, now)
        if any(uow.throttle.count(k, since) > limit.attempts for k in keys):
            return None  # rolled back: the refused attempt is not counted
        uow.commit()
    return ids


def taken_back(ctx: Context, ids: Sequence[int]) -> None:
    """The attempt recorded as ``ids`` was right (the owner's own look-up or password)."""
    with ctx.uow() as uow:
        uow.throttle.forget(ids)
        uow.commit()
