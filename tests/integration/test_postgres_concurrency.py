"""Row-level concurrency on PostgreSQL with real concurrent connections."""

from __future__ import annotations

import threading
from datetime import date

import psycopg
import pytest
import sqlalchemy as sa

from motcua.domain.commands import CompleteStep
from motcua.domain.errors import ConcurrentUpdate
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from tests.conftest import PG_URL
from tests.personas import CITIZEN

pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgres"),
                                reason="needs PostgreSQL (MOTCUA_TEST_DATABASE_URL)")


@pytest.mark.parametrize("attempt", range(5))
def test_two_officials_completing_the_same_step_at_the_same_moment(app, world, attempt):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def official_clicks() -> None:
        with app.uow() as uow:
            dossier = uow.dossiers.get(code)
            dossier.complete_step(at=app.clock.now(), actor=uc.actor_of(world["tiepnhan"]),
                                  cal=app.calendar)
            barrier.wait()  # both have read the same version before either writes
            try:
                uow.commit()
                outcomes.append("ok")
            except ConcurrentUpdate:
                outcomes.append("conflict")

    threads = [threading.Thread(target=official_clicks) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "ok"]
    view = to_json(uc.get_dossier(app, code))
    assert view["current_step"] == 2


def test_a_connection_the_server_dropped_fails_once_clearly_then_is_replaced(app, world):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    uc.get_dossier(app, code)  # the pool now holds a connection
    with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    with pytest.raises(sa.exc.OperationalError) as lost:
        uc.get_dossier(app, code)  # read on psycopg directly (storage.dossier_pg)
    assert lost.value.connection_invalidated
    assert uc.act(app, code, CompleteStep(), world["tiepnhan"]).current_step == 2


def test_reads_hold_no_transaction_and_the_first_write_begins_one(app, world):
    """dossier_pg.defer_begin: statements run on their own until the first write, which begins
    the transaction; a unit of work left without commit() still keeps none of it."""
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    status = psycopg.pq.TransactionStatus
    with app.uow() as uow:
        raw = uow.conn.connection.dbapi_connection
        uow.dossiers.get(code)
        uow.units.by_code("24175")
        assert raw.info.transaction_status == status.IDLE
        number = uow.dossiers.next_sequence("24175", "990101")  # raw psycopg write
        assert raw.info.transaction_status == status.INTRANS
        unit = uow.units.by_code("24175")
        uow.units.rename(unit.id, "Tên không được ghi", date(2026, 1, 1), app.clock.now())
    with app.uow() as uow:
        assert uow.dossiers.next_sequence("24175", "990101") == number  # rolled back
        assert uow.units.by_code("24175").name == unit.name
        uow.units.rename(unit.id, "Tên mới", date(2026, 1, 1), app.clock.now())  # SQLAlchemy
        assert uow.conn.connection.dbapi_connection.info.transaction_status == status.INTRANS
        uow.commit()
    assert uc.act(app, code, CompleteStep(), world["tiepnhan"]).current_step == 2
    with app.engine.connect() as conn:  # the pool hands out transactional connections again
        assert conn.connection.dbapi_connection.autocommit is False
        assert conn.execute(sa.text("SELECT name FROM units WHERE code = '24175'")).scalar() \
            == "Tên mới"


def test_two_relays_at_once_never_deliver_one_outbox_row_twice(app, world):
    from motcua.services.events import OutboxMessage
    from motcua.services.outbox import relay

    app.events.durable("*", lambda ctx, uow, e, d: [OutboxMessage("sms", f"{e.code}:{e.seq}", {})])
    for _ in range(12):
        uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                           applicant=CITIZEN, official=world["tiepnhan"])
    delivered: list[str] = []
    barrier = threading.Barrier(2)

    def slow_sms(payload, key):
        delivered.append(key)
        threading.Event().wait(0.01)

    def one_relay():
        barrier.wait()
        relay(app, {"sms": slow_sms}, limit=8)

    threads = [threading.Thread(target=one_relay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(delivered) == len(set(delivered)) == 12


@pytest.mark.parametrize("attempt", range(3))
def test_two_scans_of_the_same_code_at_once_hand_over_one_step(app, world, attempt):
    """Two desk officers (or a double scan) hand the same dossier over at the same moment:
    one succeeds, the other is told it was already handed over; the dossier moves once."""
    from motcua.services.officials import create_official

    second_desk = create_official(app, username="tiepnhan-b", full_name="Tiếp Nhận B",
                                  password="mat-khau-demo", roles=[("24175", "desk")])
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def scan(who) -> None:
        barrier.wait()
        try:
            uc.hand_over(app, code, who)
            outcomes.append("ok")
        except ConcurrentUpdate as exc:
            outcomes.append("refused" if "bàn giao" in exc.message else exc.message)

    threads = [threading.Thread(target=scan, args=(w,)) for w in (world["tiepnhan"],
                                                                   second_desk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert uc.get_dossier(app, code).current_step == 2
