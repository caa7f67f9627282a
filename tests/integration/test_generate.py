"""The generated province-year is consistent with the engine's own rules."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date, datetime

import sqlalchemy as sa

from motcua.demo import setup
from motcua.domain.dossiers import judge_timeliness
from motcua.generate import generate
from motcua.reports import make_report
from motcua.reports.core import Period
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from motcua.services.audit import verify_audit
from motcua.storage import tables as t
from tests.conftest import vn


def test_a_generated_year_follows_the_calendar_and_the_verdict_rules(app):
    app.clock.set(vn(2025, 1, 15, 9, 0))
    setup(app)
    made = generate(app, year=2024, count=3000, seed=7, chunk=1000)
    assert made["dossiers"] == 3000 and made["steps"] > 3000
    with app.engine.connect() as conn:
        statuses = dict(conn.execute(sa.select(t.dossiers.c.status, sa.func.count())
                                     .group_by(t.dossiers.c.status)).all())
        channels = dict(conn.execute(sa.select(t.dossiers.c.channel, sa.func.count())
                                     .group_by(t.dossiers.c.channel)).all())
        codes = [r[0] for r in conn.execute(sa.select(t.dossiers.c.code))]
        months = dict(conn.execute(sa.select(t.dossiers.c.received_month, sa.func.count())
                                   .group_by(t.dossiers.c.received_month)).all())
    assert {s.value for s in statuses} >= {"returned", "refused", "withdrawn"}
    assert {c.value for c in channels} == {"desk", "online", "postal", "assisted"}
    assert len(set(codes)) == 3000
    assert months[202402] < months[202403]  # the Tết dip
    assert verify_audit(app).broken == []
    for code in random.Random(1).sample(codes, 60):
        d = to_json(uc.get_dossier(app, code))
        received = datetime.fromisoformat(d["received_at"])
        if d["channel"] != "online":
            assert app.calendar.is_working_day(received.date())
        due = app.calendar.add(datetime.fromisoformat(d["appointment_at_receipt"]),
                               d["paused_minutes"] * 60) if d["paused_minutes"] else \
            datetime.fromisoformat(d["appointment_at_receipt"])
        assert abs((datetime.fromisoformat(d["due"]) - due).total_seconds()) < 60
        if d["result_ready_at"]:
            ready = datetime.fromisoformat(d["result_ready_at"])
            assert d["timeliness"] == judge_timeliness(ready, datetime.fromisoformat(d["due"]))
    year = Period(date(2024, 1, 1), date(2024, 12, 31))
    report = make_report(app, "ontime", year, "month")
    assert report["totals"]["received"] == 3000 and len(report["rows"]) == 12
    for by in ("unit,month", "procedure", "channel"):
        assert make_report(app, "ontime", year, by, source="stats") == \
            make_report(app, "ontime", year, by, source="live")
    assert make_report(app, "index766", year, source="stats") == \
        make_report(app, "index766", year, source="live")
    # a receipt after the generated ones continues the day's numbering
    later = to_json(uc.receive_dossier(app, procedure_code=codes and "1.001193", unit_code="TTPVHCC",
                               channel="desk", applicant={"kind": "person",
                                                          "id_number": "066190001234",
                                                          "name": "Phạm Thị Công Dân"}))
    assert later["code"] not in codes


def test_a_generated_year_after_decree_118_restarts_deadlines_after_supplements(app):
    app.clock.set(vn(2026, 11, 30, 9, 0))
    setup(app)
    generate(app, year=2026, count=1500, seed=3, chunk=1500)
    with app.engine.connect() as conn:
        codes = [r[0] for r in conn.execute(sa.select(t.dossiers.c.code).where(
            t.dossiers.c.supplement_requests > 0, t.dossiers.c.received_at >= vn(2025, 7, 1)))]
    assert len(codes) > 30
    for code in codes[:40]:
        d = to_json(uc.get_dossier(app, code))
        after = [h for h in d["appointment_history"] if h["kind"] == "supplement"]
        assert after and after[0]["appointment"] == d["due"]
        assert d["due"] >= d["appointment_at_receipt"]
        if not d["extended"]:
            assert d["appointment"] == d["due"]
        if d["result_ready_at"]:
            ready = datetime.fromisoformat(d["result_ready_at"])
            assert d["timeliness"] == judge_timeliness(ready, datetime.fromisoformat(d["due"]))


def test_generate_and_report_on_the_command_line(database_url, tmp_path):
    motcua = [sys.executable, "-m", "motcua.cli.main"]
    done = subprocess.run([*motcua, "generate", "--province", "66", "--year", "2024",
                           "--dossiers", "500", "--seed", "3", "--database", database_url],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Đã nạp 500 hồ sơ" in done.stdout
    out = tmp_path / "ontime.xlsx"
    report = subprocess.run([*motcua, "report", "ontime", "--from", "01/01/2024", "--to",
                             "31/12/2024", "--by", "channel", "--format", "xlsx", "--out",
                             str(out), "--database", database_url],
                            capture_output=True, text=True)
    assert report.returncode == 0 and out.stat().st_size > 0
    as_json = subprocess.run([*motcua, "report", "steps", "--from", "2024-01-01", "--to",
                              "2024-12-31", "--database", database_url],
                             capture_output=True, text=True)
    assert as_json.returncode == 0 and '"overrun_minutes"' in as_json.stdout
    bad = subprocess.run([*motcua, "report", "ontime", "--from", "31/12/2024", "--to",
                          "01/01/2024", "--database", database_url],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "Ngày kết thúc" in bad.stderr


def test_an_official_opens_a_generated_dossier(app, world):
    app.clock.set(vn(2025, 1, 15, 9, 0))
    generate(app, year=2024, count=50, seed=2)
    with app.engine.connect() as conn:
        code = conn.execute(sa.select(t.dossiers.c.code).where(
            t.dossiers.c.unit_id == sa.select(t.units.c.id).where(
                t.units.c.code == "24175").scalar_subquery())).scalars().first()
    detail = to_json(uc.dossier_detail(app, code, world["tiepnhan"]))
    assert detail["events"][0]["label"] == "Nhập dữ liệu"
