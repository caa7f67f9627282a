"""Dossier events: handlers run after commit, outbox rows are written with the change and
relayed once each, transient failures retried with backoff, permanent ones not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.domain.commands import CompleteStep, Refuse, RequestSupplement
from motcua.domain.errors import ConcurrentUpdate, IllegalTransition
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from motcua.services.events import OutboxMessage
from motcua.services.outbox import PermanentFailure, TransientFailure, relay
from tests.conftest import vn
from tests.personas import CITIZEN


def receive(app, people):
    return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN, official=people["tiepnhan"])


def notify_citizen(ctx, uow, event, dossier):
    """A durable handler as the notifications will be: one message per event."""
    yield OutboxMessage("sms", f"{event.code}:{event.seq}:sms",
                        {"code": event.code, "event": event.name})


def rows(app, code):
    with app.uow() as uow:
        return uow.outbox.for_dossier(code)


def test_after_commit_handlers_see_committed_events_and_never_a_refused_act(app, world):
    seen = []

    def handler(ctx, event):
        with ctx.uow() as uow:  # runs after commit: the change is visible to a new reader
            seen.append((event.name, event.code, uow.dossiers.get(event.code).status.value))

    app.events.on_commit("*", handler)
    code = receive(app, world).code
    uc.act(app, code, RequestSupplement(("Giấy chứng sinh",)), world["tiepnhan"])
    assert seen == [("receive", code, "in_progress"),
                    ("request_supplement", code, "awaiting_supplement")]
    with pytest.raises(IllegalTransition):
        uc.act(app, code, CompleteStep(), world["tiepnhan"])
    assert len(seen) == 2


def test_a_failing_after_commit_handler_does_not_undo_the_act(app, world):
    def broken(ctx, event):
        raise RuntimeError("listener down")

    app.events.on_commit("complete_step", broken)
    code = receive(app, world).code
    view = to_json(uc.act(app, code, CompleteStep(), world["tiepnhan"]))
    assert view["current_step"] == 2


def test_outbox_rows_are_written_with_the_change_and_not_with_a_refused_one(app, world):
    app.events.durable("refuse", notify_citizen)
    code = receive(app, world).code
    assert rows(app, code) == []
    with pytest.raises(IllegalTransition):  # a reason is required: nothing is written
        uc.act(app, code, Refuse(""), world["truongphong"])
    assert rows(app, code) == []
    uc.act(app, code, Refuse("Không thuộc thẩm quyền"), world["truongphong"])
    [row] = rows(app, code)
    assert row.topic == "sms" and row.status == "pending" and row.payload == {
        "code": code, "event": "refuse"}


def test_a_stale_act_writes_no_outbox_row(app, world):
    app.events.durable("complete_step", notify_citizen)
    code = receive(app, world).code
    uc.act(app, code, CompleteStep(expected_step=1), world["tiepnhan"])
    with pytest.raises(ConcurrentUpdate):
        uc.act(app, code, CompleteStep(expected_step=1), world["tiepnhan"])
    assert len(rows(app, code)) == 1


def test_the_relay_delivers_once_retries_transient_failures_and_gives_up_on_permanent(app,
                                                                                    world):
    app.events.durable("*", notify_citizen)
    code = receive(app, world).code
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    delivered, failures = [], ["timeout"]

    def sms(payload, key):
        if failures:
            raise TransientFailure(failures.pop())
        delivered.append(key)

    # the dossier's second row waits behind its first (its changes leave in order)
    assert relay(app, {"sms": sms}) == {"sent": 0, "retry": 1, "dead": 0}
    # the retried row waits for its backoff, then goes; a sent row never goes again
    assert relay(app, {"sms": sms}) == {"sent": 0, "retry": 0, "dead": 0}
    app.clock.set(app.clock.now() + timedelta(minutes=1))
    assert relay(app, {"sms": sms}) == {"sent": 1, "retry": 0, "dead": 0}
    assert relay(app, {"sms": sms}) == {"sent": 1, "retry": 0, "dead": 0}
    assert relay(app, {"sms": sms}) == {"sent": 0, "retry": 0, "dead": 0}
    assert sorted(delivered) == [f"{code}:1:sms", f"{code}:2:sms"]
    assert [r.attempts for r in rows(app, code)] == [2, 1]

    def bad_number(payload, key):
        raise PermanentFailure("số điện thoại không tồn tại")

    app.clock.set(vn(2026, 1, 5, 11))
    uc.act(app, code, CompleteStep(), world["chuyenvien"])
    assert relay(app, {"sms": bad_number}) == {"sent": 0, "retry": 0, "dead": 1}
    last = rows(app, code)[-1]
    assert last.status == "dead" and last.attempts == 1 and "không tồn tại" in last.last_error
