"""Relaying the outbox: deliver each row once, retry transient failures with backoff.

Rows are written by durable event handlers in the transaction of the dossier
change (``services.events``). ``relay`` claims due rows (on PostgreSQL with
``FOR UPDATE SKIP LOCKED``, so several relays never deliver one row twice),
hands each to the deliverer of its topic with the row's ``dedupe_key`` as the
idempotency key, and records the outcome: ``sent``; ``pending`` again after
an exponential, capped backoff for a transient failure; ``dead`` for a
permanent one or after ``max_attempts``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

Deliver = Callable[..., None]  # (payload, dedupe_key[, uow])


class DeliveryFailure(Exception):
    """The other side (a provider, the carrier) did not take what was sent; ``str()`` says
    why in Vietnamese."""


class TransientFailure(DeliveryFailure):
    """The other side is unavailable for now (timeout, 5xx): try again later."""


class PermanentFailure(DeliveryFailure):
    """The message can never be delivered as it is (bad address, 4xx): do not retry."""


@dataclass(frozen=True)
class Backoff:
    base_seconds: int = 30
    cap_seconds: int = 6 * 3600
    max_attempts: int = 8

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1)))


def relay(ctx, deliverers: Mapping[str, Deliver], *, limit: int = 100,
          backoff: Backoff = Backoff(), backoffs: Mapping[str, Backoff] | None = None,
          topics: Sequence[str] | None = None, uow_aware: bool = False) -> dict[str, int]:
    """Deliver the due rows once; counts of ``sent``, ``retry`` and ``dead``.

    ``backoffs`` gives a topic its own schedule; ``topics`` limits the relay to those;
    with ``uow_aware`` each deliverer is called with the relay's unit of work as a third
    argument (it reads and records in the transaction that marks the row sent)."""
    counts = {"sent": 0, "retry": 0, "dead": 0}
    now = ctx.clock.now()
    with ctx.uow() as uow:
        for row in uow.outbox.claim(now, limit, topics):
            attempts = row.attempts + 1
            deliver = deliverers.get(row.topic)
            schedule = (backoffs or {}).get(row.topic, backoff)
            try:
                if deliver is None:
                    raise PermanentFailure(f"không có bộ gửi cho chủ đề {row.topic!r}")
                if uow_aware:
                    deliver(row.payload, row.dedupe_key, uow)
                else:
                    deliver(row.payload, row.dedupe_key)
            except TransientFailure as exc:
                if attempts >= schedule.max_attempts:
                    uow.outbox.mark(row.id, status="dead", attempts=attempts,
                                    next_attempt_at=now, error=str(exc))
                    counts["dead"] += 1
                else:
                    uow.outbox.mark(row.id, status="pending", attempts=attempts,
                                    next_attempt_at=now + schedule.delay(attempts),
                                    error=str(exc))
                    counts["retry"] += 1
            except PermanentFailure as exc:
                uow.outbox.mark(row.id, status="dead", attempts=attempts, next_attempt_at=now,
                                error=str(exc))
                counts["dead"] += 1
            else:
                uow.outbox.mark(row.id, status="sent", attempts=attempts, next_attempt_at=now,
                                processed_at=now)
                counts["sent"] += 1
        uow.commit()
    return counts
