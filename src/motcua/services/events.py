"""Dossier events and their handlers: after commit, or as outbox rows in the transaction.

A use case records what happened ("receive", "request_supplement", ... — the
action names of the transition table) from the dossier's new audit events.
Two kinds of handler (STYLE.md, "Commands, events and the outbox"):

* ``on_commit`` handlers run after the transaction has committed, and only then;
  they may read but must not be relied on (a failure is logged, never raised:
  the person's act is already recorded);
* ``durable`` handlers run inside the transaction (``handler(ctx, uow, event,
  dossier)``) and return rows written with the change (``OutboxMessage``, or a
  notification of ``services.notifications``: anything with ``write(uow, event,
  dossier)``):
  an effect that must not be lost (a message to the citizen, a sync with the
  national portal) is delivered later by ``motcua worker``, once per ``dedupe_key``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from motcua.domain.audit import AuditEvent

log = logging.getLogger("motcua.events")
ANY = "*"


@dataclass(frozen=True)
class DossierEvent:
    """Something that happened to a dossier, as its audit event recorded it."""

    name: str
    code: str
    province_code: int
    seq: int
    at: datetime
    actor_id: int | None
    data: dict[str, Any] = field(default_factory=dict)
    actor_name: str = ""

    @classmethod
    def of(cls, event: AuditEvent, province_code: int) -> DossierEvent:
        return cls(event.action, event.dossier_code, province_code, event.seq, event.at,
                   event.actor_id, event.data, event.actor_name)


@dataclass(frozen=True)
class OutboxMessage:
    """A row for the outbox: ``topic`` names the relay handler; one per ``dedupe_key``."""

    topic: str
    dedupe_key: str
    payload: dict[str, Any]

    def write(self, uow, event: DossierEvent, dossier=None) -> None:
        uow.outbox.add(province_code=event.province_code, topic=self.topic,
                       dedupe_key=self.dedupe_key, dossier_code=event.code,
                       payload=self.payload, at=event.at)


AfterCommit = Callable[[Any, DossierEvent], None]
Durable = Callable[[Any, Any, DossierEvent, Any], Iterable[Any]]


class EventHandlers:
    """Who listens to which event (``"*"`` for every event)."""

    def __init__(self) -> None:
        self._after: dict[str, list[AfterCommit]] = defaultdict(list)
        self._durable: dict[str, list[Durable]] = defaultdict(list)

    def on_commit(self, name: str, handler: AfterCommit) -> None:
        self._after[name].append(handler)

    def durable(self, name: str, handler: Durable) -> None:
        self._durable[name].append(handler)

    def messages(self, ctx, uow, events: Iterable[tuple[DossierEvent, Any]]) -> list[
            tuple[DossierEvent, Any, Any]]:
        """(event, row, dossier) for every row the durable handlers return."""
        return [(e, m, dossier) for e, dossier in events
                for h in (*self._durable.get(e.name, ()), *self._durable.get(ANY, ()))
                for m in h(ctx, uow, e, dossier)]

    def after_commit(self, ctx, events: Iterable[DossierEvent]) -> None:
        for event in events:
            for handler in (*self._after.get(event.name, ()), *self._after.get(ANY, ())):
                try:
                    handler(ctx, event)
                except Exception:  # the act is recorded; a listener's failure must not undo it
                    log.exception("after-commit handler %r failed for %s %s", handler,
                                  event.name, event.code)


def commit(ctx, uow, dossiers: Iterable) -> None:
    """Commit ``uow`` with the dossiers' events: outbox rows inside, handlers after."""
    handlers: EventHandlers = ctx.events
    events = [(DossierEvent.of(e, d.province_code), d)
              for d in dossiers for e in d.pending_events]
    for event, message, dossier in handlers.messages(ctx, uow, events):
        message.write(uow, event, dossier)
    uow.commit()
    handlers.after_commit(ctx, [e for e, _ in events])
