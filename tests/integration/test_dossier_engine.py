"""The dossier engine on a real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from motcua.domain.commands import CompleteStep, Refuse, RequestSupplement, ReturnResult, Supplement
from motcua.domain.errors import ConcurrentUpdate, IllegalTransition, NotFound, PermissionDenied
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from motcua.services.audit import verify_audit
from motcua.services.procedures import procedure_from_dict, save_procedures
from motcua.services.units import merge_units
from motcua.storage import db
from tests.conftest import vn
from tests.personas import BIRTH, CITIZEN


def receive(app, people, channel="desk"):
    return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel=channel, applicant=CITIZEN, official=people["tiepnhan"])


def test_migrations_build_the_schema_from_empty_and_match_the_tables(database_url):
    db.upgrade(database_url)
    db.check(database_url)


def test_dossier_codes_follow_unit_date_and_daily_sequence(app, world):
    first = receive(app, world)
    second = receive(app, world)
    assert first.code == "24175-260105-0001" and second.code == "24175-260105-0002"
    app.clock.set(vn(2026, 1, 6, 8, 0))
    assert receive(app, world).code == "24175-260106-0001"


def test_a_full_lifecycle_through_the_services_is_stored_and_audited(app, world):
    code = receive(app, world).code
    for when, who in ((vn(2026, 1, 5, 10), "tiepnhan"), (vn(2026, 1, 7, 9), "chuyenvien"),
                      (vn(2026, 1, 8, 8, 30), "lanhdao")):
        app.clock.set(when)
        view = to_json(uc.act(app, code, CompleteStep(), world[who]))
    assert view["status"] == "result_ready" and view["timeliness"] == "on_time"
    assert view["steps"][1]["overran"] is True and view["steps"][2]["unit"] == "SO-TP"
    app.clock.set(vn(2026, 1, 8, 10))
    assert uc.act(app, code, ReturnResult(), world["tiepnhan"]).status == "returned"
    assert verify_audit(app).broken == []
    with app.engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action FROM audit_events ORDER BY id")).scalars()
        assert list(actions) == ["receive", "complete_step", "complete_step", "complete_step",
                                 "return"]


def test_stored_times_come_back_as_the_same_instants_in_utc(app, world):
    code = receive(app, world).code
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
    assert dossier.received_at == vn(2026, 1, 5, 9, 0)
    assert dossier.received_at.utcoffset() == timedelta(0)
    assert all(s.planned_deadline.utcoffset() == timedelta(0) for s in dossier.steps)
    assert dossier.status.label  # enums come back as members


def test_officials_act_only_within_their_role_and_unit(app, world):
    with pytest.raises(PermissionDenied):
        uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                           applicant=CITIZEN, official=world["tiepnhan2"])
    code = receive(app, world).code
    with pytest.raises(PermissionDenied):
        uc.act(app, code, Refuse("Không đủ điều kiện"), world["chuyenvien"])
    with pytest.raises(PermissionDenied):
        uc.act(app, code, CompleteStep(), world["tiepnhan2"])
    uc.act(app, code, Refuse("Không đủ điều kiện"), world["truongphong"])


def test_two_officials_completing_the_same_step_exactly_one_succeeds(app, world):
    code = receive(app, world).code
    first, second = app.uow(), app.uow()
    with first, second:
        a = first.dossiers.get(code)
        b = second.dossiers.get(code)
        a.complete_step(at=vn(2026, 1, 5, 10), actor=uc.actor_of(world["tiepnhan"]),
                        cal=app.calendar)
        b.complete_step(at=vn(2026, 1, 5, 10), actor=uc.actor_of(world["tiepnhan"]),
                        cal=app.calendar)
        first.commit()
        with pytest.raises(ConcurrentUpdate, match="cán bộ khác"):
            second.commit()
    view = to_json(uc.get_dossier(app, code))
    assert view["current_step"] == 2 and verify_audit(app).broken == []


def test_a_save_from_a_stale_copy_is_refused_and_writes_nothing(app, world):
    code = receive(app, world).code
    counted = "SELECT status, sum(n) FROM unit_stats GROUP BY status ORDER BY status"
    stale = app.uow()
    with stale:
        old = stale.dossiers.get(code)
        uc.act(app, code, CompleteStep(), world["tiepnhan"])
        with app.engine.connect() as conn:
            counters = conn.execute(sa.text(counted)).all()
        old.request_supplement(at=vn(2026, 1, 5, 10), actor=uc.actor_of(world["tiepnhan"]),
                               cal=app.calendar, reason="", missing=["Giấy chứng sinh"])
        with pytest.raises(ConcurrentUpdate, match="tải lại"):
            stale.commit()
    view = to_json(uc.get_dossier(app, code))
    assert view["status"] == "in_progress" and view["current_step"] == 2
    with app.engine.connect() as conn:
        assert conn.execute(sa.text(counted)).all() == counters
        assert conn.execute(sa.text("SELECT count(*) FROM dossier_supplements")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM audit_events")).scalar() == 2
    assert verify_audit(app).broken == []


def test_a_double_clicked_hand_over_completes_one_step_only(app, world):
    code = receive(app, world).code
    uc.act(app, code, CompleteStep(expected_step=1), world["tiepnhan"])
    with pytest.raises(ConcurrentUpdate):
        uc.act(app, code, CompleteStep(expected_step=1), world["tiepnhan"])
    assert uc.get_dossier(app, code).current_step == 2


def test_a_dossier_keeps_the_procedure_version_it_was_received_under(app, world):
    code = receive(app, world).code
    changed = procedure_from_dict({**BIRTH, "deadline": {"working_days": 5}})
    assert save_procedures(app, [changed]) == (1, 0)
    assert save_procedures(app, [procedure_from_dict({**BIRTH, "deadline": {"working_days": 5}})]) == (0, 1)
    old = to_json(uc.get_dossier(app, code))
    new = to_json(receive(app, world))
    assert new["procedure_id"] != old["procedure_id"]
    assert old["appointment"] == "2026-01-08T09:00:00+07:00"
    assert new["appointment"] == "2026-01-10T09:00:00+07:00"  # make-up Saturday


def test_merging_units_moves_dossiers_in_flight_and_keeps_past_work(app, world):
    code = receive(app, world).code
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    app.clock.set(vn(2026, 1, 5, 11))
    assert merge_units(app, ["24175"], "24133", vn(2026, 1, 5).date()) == 1
    view = to_json(uc.get_dossier(app, code))
    assert view["unit"] == "24133"
    assert [s["unit"] for s in view["steps"]] == ["24175", "24133", "SO-TP"]
    assert verify_audit(app).broken == []


def test_unknown_codes_and_illegal_moves_get_clear_errors(app, world):
    with pytest.raises(NotFound, match="Không tìm thấy hồ sơ"):
        uc.get_dossier(app, "KHONG-CO")
    code = receive(app, world).code
    with pytest.raises(IllegalTransition, match="Không thể"):
        uc.act(app, code, ReturnResult(), world["tiepnhan"])


def test_audit_verify_names_a_dossier_whose_events_were_tampered_with(app, world):
    code = receive(app, world).code
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    with app.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_events SET actor_name = 'Kẻ gian' WHERE seq = 1"))
    broken = verify_audit(app).broken
    assert broken and broken[0][0] == code and "sửa" in broken[0][1]


def test_a_complete_supplement_is_stored_and_restarts_due_and_the_appointment(app, world):
    code = receive(app, world).code
    app.clock.set(vn(2026, 1, 5, 10))
    uc.act(app, code, RequestSupplement(["Giấy chứng sinh"]), world["tiepnhan"])
    app.clock.set(vn(2026, 1, 6, 10))
    view = to_json(uc.act(app, code, Supplement(), world["tiepnhan"]))
    # Decree 118/2025 art. 19(5): Tue 06/01 10:00 + 3 working days
    assert view["paused_minutes"] == 480 and view["due"] == "2026-01-09T10:00:00+07:00"
    assert view["appointment"] == view["due"]


def test_a_hand_over_scan_completes_only_the_step_the_official_holds_and_only_once(app, world):
    from motcua.domain.errors import ConcurrentUpdate as Refused

    code = receive(app, world).code
    app.clock.set(vn(2026, 1, 5, 9, 30))
    assert uc.hand_over(app, code, world["tiepnhan"]).current_step == 2
    app.clock.set(vn(2026, 1, 5, 9, 31))
    with pytest.raises(Refused, match="đã bàn giao lúc 09:30 05/01/2026 .bước 1"):
        uc.hand_over(app, code, world["tiepnhan"])
    with pytest.raises(PermissionDenied, match="không do bạn xử lý"):
        uc.hand_over(app, code, world["truongphong"])  # the head does not hold step 2
    assert uc.hand_over(app, code, world["chuyenvien"]).current_step == 3
