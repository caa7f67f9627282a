"""What a process keeps a minute: the catalogue's searches, the message templates, the
citizens' channel choices, unit names. Kept in ``ctx.catalogue_cache`` (cleared when the
catalogue is saved); every server process has its own, so a change made elsewhere is
seen within ``KEPT_SECONDS``."""

from __future__ import annotations

import time

KEPT_SECONDS = 60.0
MAX_ENTRIES = 20000


def kept(ctx, key: tuple, make, seconds: float = KEPT_SECONDS):
    """``make()``, kept ``seconds`` in this process under ``key``."""
    hit = peek(ctx, key, seconds)
    return hit if hit is not None else keep(ctx, key, make())


def peek(ctx, key: tuple, seconds: float = KEPT_SECONDS):
    """The value kept under ``key`` within ``seconds``, else ``None`` (makes nothing)."""
    hit = ctx.catalogue_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return hit[1]
    return None


def held(ctx, key: tuple, version, seconds: float = KEPT_SECONDS):
    """The value kept under ``key`` if it was made at ``version`` within ``seconds``, else
    ``None``."""
    hit = ctx.catalogue_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds and hit[1][0] == version:
        return hit[1][1]
    return None


def kept_at(ctx, key: tuple, version, make, seconds: float = KEPT_SECONDS):
    """The value kept under ``key`` if it was made at ``version`` within ``seconds``; else
    ``make()``, which answers (the version it was made at, the value)."""
    hit = held(ctx, key, version, seconds)
    if hit is not None:
        return hit
    made = make()
    keep(ctx, key, made)
    return made[1]


def keep(ctx, key: tuple, value):
    """Keep ``value`` under ``key`` from now (a value this process has just written)."""
    if len(ctx.catalogue_cache) >= MAX_ENTRIES:
        ctx.catalogue_cache.clear()
    ctx.catalogue_cache[key] = (time.monotonic(), value)
    return value


def forget(ctx, key: tuple) -> None:
    ctx.catalogue_cache.pop(key, None)
