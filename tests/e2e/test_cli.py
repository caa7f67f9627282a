"""The command line, run as a user runs it (a real process, a real database file)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def motcua(*args: str, env_db: str | None = None, check: bool = True):
    env = {**os.environ}
    if env_db:
        env["MOTCUA_DATABASE_URL"] = env_db
    result = subprocess.run([sys.executable, "-m", "motcua.cli.main", *args], capture_output=True,
                            text=True, env=env, cwd=ROOT, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stdout}\n{result.stderr}")
    return result


@pytest.mark.parametrize(("args", "expected"), [
    (["--from", "2025-01-24T16:45:00+07:00", "--days", "1"],
     {"received": "2025-01-24T16:45:00+07:00", "effective_receipt": "2025-01-24T16:45:00+07:00",
      "appointment": "2025-02-03T16:45:00+07:00"}),
    (["--from", "2026-01-09T15:30:00+07:00", "--days", "0", "--cutoff", "15:00"],
     {"received": "2026-01-09T15:30:00+07:00", "effective_receipt": "2026-01-10T07:30:00+07:00",
      "appointment": "2026-01-10T17:30:00+07:00"}),
    (["--from", "2026-01-05T02:00:00Z", "--hours", "4", "--mode", "hours"],
     {"received": "2026-01-05T09:00:00+07:00", "effective_receipt": "2026-01-05T09:00:00+07:00",
      "appointment": "2026-01-05T15:00:00+07:00"}),
    (["--from", "2026-08-28T10:00:00+07:00", "--days", "1", "--mode", "end-of-day"],
     {"received": "2026-08-28T10:00:00+07:00", "effective_receipt": "2026-08-28T10:00:00+07:00",
      "appointment": "2026-09-03T17:30:00+07:00"}),
])
def test_calendar_due_prints_the_appointment_as_json(tmp_path, args, expected):
    out = motcua("calendar", "due", *args, env_db=f"sqlite:///{tmp_path}/none.sqlite3")
    assert json.loads(out.stdout) == expected


def test_calendar_due_explains_bad_input_in_vietnamese(tmp_path):
    out = motcua("calendar", "due", "--from", "16/13/2025", "--days", "1", check=False,
                 env_db=f"sqlite:///{tmp_path}/none.sqlite3")
    assert out.returncode == 2 and "không phải thời điểm hợp lệ" in out.stderr
    # the same days as officials write them are read as the web reads them
    out = motcua("calendar", "due", "--from", "16/01/2025 09:00", "--days", "1",
                 env_db=f"sqlite:///{tmp_path}/none.sqlite3")
    assert json.loads(out.stdout)["appointment"] == "2025-01-17T09:00:00+07:00"
    out = motcua("calendar", "due", "--from", "2025-01-16T09:00", check=False,
                 env_db=f"sqlite:///{tmp_path}/none.sqlite3")
    assert out.returncode == 2 and "--days" in out.stderr


def test_calendar_year_lists_make_up_days_with_reasons(tmp_path):
    out = motcua("calendar", "year", "2026", "--format", "json",
                 env_db=f"sqlite:///{tmp_path}/none.sqlite3")
    days = {d["date"]: d for d in json.loads(out.stdout)["days"]}
    assert days["2026-01-10"]["kind"] == "working_day" and days["2026-01-10"]["weekday"] == "Thứ Bảy"
    assert days["2026-01-02"]["kind"] == "day_off"
    table = motcua("calendar", "year", "2025", env_db=f"sqlite:///{tmp_path}/none.sqlite3")
    assert "26/04/2025" in table.stdout and "Làm việc" in table.stdout


def test_an_administrator_override_changes_appointments_from_then_on(tmp_path):
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    rules = tmp_path / "tinh.json"
    rules.write_text(json.dumps({"2026": {"days_off": [
        {"date": "2026-03-03", "reason": "Nghỉ theo quyết định của UBND tỉnh"}]}}), "utf-8")
    motcua("calendar", "import", str(rules), env_db=url)
    out = motcua("calendar", "due", "--from", "2026-03-02T09:00:00+07:00", "--days", "1",
                 env_db=url)
    assert json.loads(out.stdout)["appointment"] == "2026-03-04T09:00:00+07:00"


def test_replay_prints_one_object_per_dossier():
    out = motcua("replay", "--catalog", str(EXAMPLES / "catalog.json"),
                 str(EXAMPLES / "scenario.jsonl"))
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    a, b = rows
    assert a["ref"] == "A" and a["timeliness"] == "early" and a["steps"][1]["overran"] is True
    # Decree 118/2025: the complete supplement (Mon 12/01 10:00) restarts the 3 working days
    assert b["paused_minutes"] == 600 and b["due"] == "2026-01-15T10:00:00+07:00"
    assert b["appointment"] == b["due"] and b["appointment_at_receipt"] == \
        "2026-01-13T16:45:00+07:00"


def test_replay_stops_at_an_illegal_line_with_a_json_error(tmp_path):
    scenario = tmp_path / "bad.jsonl"
    scenario.write_text("\n".join(json.dumps(x) for x in [
        {"at": "2026-01-05T09:00:00+07:00", "action": "receive", "dossier": "A",
         "procedure": "1.001193"},
        {"at": "2026-01-05T10:00:00+07:00", "action": "return", "dossier": "A"},
    ]), "utf-8")
    out = motcua("replay", "--catalog", str(EXAMPLES / "catalog.json"), str(scenario),
                 check=False)
    assert out.returncode == 1
    error = json.loads(out.stdout.splitlines()[-1])["error"]
    assert error["line"] == 2 and "Không thể" in error["message"]


def test_replay_into_a_database_keeps_the_data_and_audit_verify_detects_tampering(tmp_path):
    url = f"sqlite:///{tmp_path}/kept.sqlite3"
    motcua("replay", "--catalog", str(EXAMPLES / "catalog.json"),
           str(EXAMPLES / "scenario.jsonl"), "--database", url)
    ok = motcua("audit", "verify", "--database", url)
    assert "nguyên vẹn" in ok.stdout
    with sqlite3.connect(tmp_path / "kept.sqlite3") as conn:
        conn.execute("DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events "
                     "WHERE dossier_id = 1)")
    bad = motcua("audit", "verify", "--database", url, check=False)
    assert bad.returncode == 1 and "XA-HOAPHU-260105-0001" in bad.stderr


def test_units_import_loads_dak_lak_and_procedures_round_trip_through_excel(tmp_path):
    url = f"sqlite:///{tmp_path}/units.sqlite3"
    out = motcua("units", "import", "--province", "66", env_db=url)
    assert "Đắk Lắk" in out.stdout
    with sqlite3.connect(tmp_path / "units.sqlite3") as conn:
        count = conn.execute("SELECT count(*) FROM units WHERE kind IN ('commune','ward')").fetchone()
        names = {r[0] for r in conn.execute("SELECT name FROM units")}
    assert count[0] > 90 and "Phường Buôn Ma Thuột" in names
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"procedures": [{
        "code": "2.000001", "name": "Chứng thực bản sao từ bản chính", "field": "Chứng thực",
        "deadline": {"working_days": 0, "cutoff": "15:00"}, "fee": "2.000 đồng/trang",
        "documents": ["Bản chính giấy tờ"], "channels": ["desk", "online"],
        "steps": [{"name": "Tiếp nhận và chứng thực", "role": "desk", "working_hours": 4}]}]},
        ensure_ascii=False), "utf-8")
    motcua("procedures", "import", str(catalog), env_db=url)
    xlsx = tmp_path / "thu-tuc.xlsx"
    motcua("procedures", "export", str(xlsx), env_db=url)
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb["Thủ tục"]["B1"].value == "Tên thủ tục"
    assert wb["Thủ tục"]["B2"].value == "Chứng thực bản sao từ bản chính"
    again = motcua("procedures", "import", str(xlsx), env_db=url)
    assert "0 phiên bản mới; 1 thủ tục không thay đổi" in again.stdout


def test_transitions_are_listable():
    out = motcua("dossiers", "transitions", "--format", "json")
    actions = {row["action"] for row in json.loads(out.stdout)}
    assert {"receive", "complete_step", "send_back", "extend", "return"} <= actions


def test_the_transitions_table_says_who_may_act_and_with_which_fields():
    rows = {r["action"]: r for r in json.loads(
        motcua("dossiers", "transitions", "--format", "json").stdout)}
    assert rows["extend"]["roles"] == ["head", "signer"] and rows["extend"]["scope"] == "step"
    assert rows["extend"]["fields"] == ["new_appointment", "reason"]
    assert rows["return"]["roles"] == ["desk"] and rows["return"]["scope"] == "desk"
    table = motcua("dossiers", "transitions").stdout
    assert "quyền: desk tại đơn vị tiếp nhận" in table


def test_officials_email_and_the_worker_once_with_no_channel_configured(tmp_path):
    url = f"sqlite:///{tmp_path}/worker.sqlite3"
    motcua("units", "import", "--province", "66", env_db=url)
    motcua("officials", "add", "canbo", "Nguyễn Văn Cán Bộ", "--password", "mat-khau-demo",
           "--role", "P66:admin", "--email", "canbo@tinh.gov.vn", env_db=url)
    bad = motcua("officials", "set-email", "canbo", "khong-phai-thu", env_db=url, check=False)
    assert bad.returncode != 0 and "không hợp lệ" in bad.stderr + bad.stdout
    out = motcua("officials", "set-email", "canbo", "", env_db=url)
    assert "không gửi" in out.stdout
    once = motcua("worker", "--once", env_db=url)
    assert "chưa cấu hình kênh nào" in once.stdout
    assert "Đã xử lý 0 thông báo" in once.stdout and "nhac_viec_chuyen_cap" in once.stdout


def test_the_demo_loads_its_province_people_and_dossiers(tmp_path):
    """What ``make demo`` runs before serving: a database with the demo's data and logins."""
    out = motcua("demo", "--no-serve", "--dossiers", "20", "--data-dir", str(tmp_path))
    assert "Tài khoản demo (mật khẩu chung: motcua-demo)" in out.stdout
    assert "ttpvhcc.tiepnhan" in out.stdout
    with sqlite3.connect(tmp_path / "motcua.sqlite3") as conn:
        dossiers = conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        queued = conn.execute("SELECT count(*) FROM notification_outbox WHERE status IN "
                              "('pending', 'failed_retryable')").fetchone()[0]
        emails = conn.execute("SELECT count(*) FROM officials WHERE email = ''").fetchone()[0]
        askers = conn.execute("SELECT count(*) FROM time_corrections "
                              "WHERE requested_by_id IS NULL").fetchone()[0]
        staffed = conn.execute("SELECT count(*) FROM cchc_staffing s JOIN units u ON "
                               "u.code = s.unit").fetchone()[0]
        receiving = conn.execute("SELECT count(DISTINCT unit_id) FROM dossiers").fetchone()[0]
    assert staffed == receiving > 0  # the staffing page has every receiving unit to show
    assert dossiers >= 20
    assert queued == 0  # the generated history is never sent
    assert emails == 0  # every demo official is reached by the demo's mailbox
    assert askers == 0  # correction requests come from a desk officer


def test_cchc_import_templates_from_the_command_line(tmp_path):
    out = motcua("cchc", "template", "bien-che", "--out", str(tmp_path / "bien-che.xlsx"))
    assert "Đã ghi mẫu bien-che" in out.stdout and (tmp_path / "bien-che.xlsx").stat().st_size
    wrong = motcua("cchc", "template", "khong-co", "--out", str(tmp_path / "x.xlsx"),
                   check=False)
    assert wrong.returncode != 0 and "Không có mẫu nhập" in wrong.stdout + wrong.stderr


def _every_command_path():
    import typer.main

    from motcua.cli.main import app

    def walk(command, path):
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


ENGLISH = ("Usage:", "Show this message", "Missing ", "No such", "Invalid value", "Got unexpected",
           "Did you mean", "Try '", "does not exist", "requires", "<str>", "<int", "<bool>",
           "<path>", "Error:")


WIDE = {"COLUMNS": "200"}


def test_every_help_screen_and_parse_error_is_in_vietnamese():
    """Typer's copy of Click writes fixed English; the command classes answer in Vietnamese."""
    from typer.testing import CliRunner

    from motcua.cli.main import app

    runner = CliRunner()
    paths = _every_command_path()
    assert len(paths) > 30
    for path in paths:
        out = runner.invoke(app, [*path, "--help"], prog_name="motcua", env=WIDE)
        assert out.exit_code == 0, (path, out.output)
        assert "Cách dùng: motcua" in out.output and "Hiện hướng dẫn này rồi thoát." in out.output
        assert not [word for word in ENGLISH if word in out.output], (path, out.output)
    bad = {
        ("backup",): "Thiếu tùy chọn '--out'.",
        ("backup", "--nope"): "Không có tùy chọn --nope.",
        ("serve", "--port", "abc"): "Giá trị của '--port' không hợp lệ: cần là một số nguyên.",
        ("serve", "--workers", "99"): "Giá trị của '--workers' không hợp lệ: cần không quá 64.",
        ("serve", "--port"): "Tùy chọn --port cần giá trị đi kèm.",
        ("serv",): "Không có lệnh 'serv'. Có phải ý bạn là: 'serve'?",
        ("backup", "--out", "x", "thua"): "Thừa tham số: thua.",
        ("report", "ontime", "--from", "01/01/2026"): "Thiếu tùy chọn '--to'.",
    }
    for args, expected in bad.items():
        out = runner.invoke(app, list(args), prog_name="motcua", env=WIDE)
        assert out.exit_code == 2, (args, out.output)
        text = " ".join(out.output.split())
        assert expected in text, (args, text)
        assert not [word for word in ENGLISH if word in text], (args, text)
