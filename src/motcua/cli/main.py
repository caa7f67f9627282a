"""The ``motcua`` command line. Messages for people are in Vietnamese."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer

from motcua.domain.errors import MotcuaError
from motcua.domain.text import parse_date
from motcua.domain.text import parse_instant as text_instant
from motcua.settings import Settings

app = typer.Typer(help="motcua: hệ thống một cửa giải quyết thủ tục hành chính.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
calendar_app = typer.Typer(help="Lịch làm việc và tính hạn.", no_args_is_help=True)
units_app = typer.Typer(help="Cơ quan, đơn vị.", no_args_is_help=True)
officials_app = typer.Typer(help="Cán bộ và vai trò.", no_args_is_help=True)
procedures_app = typer.Typer(help="Thủ tục hành chính và quy trình nội bộ.", no_args_is_help=True)
audit_app = typer.Typer(help="Nhật ký thao tác.", no_args_is_help=True)
db_app = typer.Typer(help="Cơ sở dữ liệu.", no_args_is_help=True)
dossiers_app = typer.Typer(help="Hồ sơ.", no_args_is_help=True)
forms_app = typer.Typer(help="In biểu mẫu theo Thông tư 03/2025/TT-VPCP.", no_args_is_help=True)
cchc_app = typer.Typer(help="Chương trình cải cách hành chính (CCHC).", no_args_is_help=True)
for sub, name in ((calendar_app, "calendar"), (units_app, "units"), (officials_app, "officials"),
                  (procedures_app, "procedures"), (audit_app, "audit"), (db_app, "db"),
                  (dossiers_app, "dossiers"), (forms_app, "forms"), (cchc_app, "cchc")):
    app.add_typer(sub, name=name)

Database = Annotated[str | None, typer.Option(
    "--database", envvar="MOTCUA_DATABASE_URL",
    help="Địa chỉ CSDL (mặc định: tệp SQLite var/motcua.sqlite3).")]


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"Lỗi: {message}", err=True)
    raise typer.Exit(code)


def emit(data: bytes, out: Path | None, what: str, *, newline: bool = False) -> None:
    """Write the file the user asked for, or else the bytes to standard output."""
    if out is None:
        sys.stdout.buffer.write(data + (b"\n" if newline else b""))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    typer.echo(f"Đã ghi {what} ra {out}.")


def friendly(func: Callable) -> Callable:
    """Turn domain errors into a Vietnamese message and exit code 2."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MotcuaError as exc:
            fail(exc.message)
    return wrapper


def open_app(database: str | None, clock=None):
    from motcua.bootstrap import build

    return build(Settings().with_database(database), clock=clock)


def parse_instant(text: str, what: str = "thời điểm") -> datetime:
    """``domain.text.parse_instant``, failing the command with its message."""
    try:
        return text_instant(text, what)
    except MotcuaError as exc:
        fail(exc.message)


def echo_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False))


# -- calendar ------------------------------------------------------------------------------

@calendar_app.command("due")
@friendly
def calendar_due(
    from_: Annotated[str, typer.Option("--from", help="Thời điểm tiếp nhận, ISO-8601.")],
    days: Annotated[int | None, typer.Option("--days", min=0)] = None,
    hours: Annotated[float | None, typer.Option("--hours", min=0)] = None,
    mode: Annotated[str, typer.Option("--mode", help="hours | end-of-day")] = "hours",
    cutoff: Annotated[str | None, typer.Option("--cutoff", help="Giờ chốt, HH:MM")] = None,
    database: Database = None,
) -> None:
    """Tính ngày hẹn trả cho một thời điểm tiếp nhận."""
    from motcua.bootstrap import calendar_for
    from motcua.services.calendar import appointment

    if (days is None) == (hours is None):
        fail("Cần đúng một trong hai tùy chọn --days hoặc --hours.")
    if mode not in ("hours", "end-of-day"):
        fail("--mode phải là hours hoặc end-of-day.")
    if cutoff:
        try:
            time.fromisoformat(cutoff)
        except ValueError:
            fail(f"--cutoff phải có dạng HH:MM, nhận được {cutoff!r}.")
    received = parse_instant(from_, "--from")
    amount = {"working_days": days} if days is not None else {"working_hours": hours}
    echo_json(appointment(calendar_for(Settings().with_database(database)), received,
                          {**amount, "mode": mode, **({"cutoff": cutoff} if cutoff else {})}))


@calendar_app.command("year")
@friendly
def calendar_year(
    year: int,
    format: Annotated[str, typer.Option("--format", help="json | table")] = "table",
    database: Database = None,
) -> None:
    """Liệt kê ngày nghỉ và ngày làm bù của một năm, kèm lý do."""
    from motcua.bootstrap import calendar_for
    from motcua.calendar_sources import PACKAGE_SOURCE, decided_years

    cal = calendar_for(Settings().with_database(database))
    rules = cal.year_exceptions(year)
    weekday = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
    kind_label = {"day_off": "Nghỉ", "working_day": "Làm việc"}
    # years without the Government's decision rest on the package's estimates
    estimated = year not in decided_years()
    if format == "json":
        echo_json({"year": year, "estimated": estimated, "days": [
            {"date": r.day.isoformat(), "weekday": weekday[r.day.weekday()], "kind": r.kind.value,
             "reason": r.reason, "source": r.source,
             "estimated": estimated and r.source == PACKAGE_SOURCE} for r in rules]})
        return
    if format != "table":
        fail("--format phải là json hoặc table.")
    from rich.console import Console
    from rich.table import Table

    title = f"Ngày nghỉ và ngày làm bù năm {year}"
    if estimated:
        title += " (dự kiến: chưa có quyết định của Chính phủ cho năm này)"
    table = Table(title=title)
    for column in ("Ngày", "Thứ", "Loại", "Lý do"):
        table.add_column(column)
    for r in rules:
        mark = " (dự kiến)" if estimated and r.source == PACKAGE_SOURCE else ""
        table.add_row(f"{r.day:%d/%m/%Y}", weekday[r.day.weekday()], kind_label[r.kind.value],
                      r.reason + mark)
    Console(width=160).print(table)


@calendar_app.command("import")
@friendly
def calendar_import(file: Path, database: Database = None) -> None:
    """Nhập ngày nghỉ/làm bù do quản trị viên điều chỉnh (tệp JSON theo năm)."""
    from motcua.services.calendar import import_overrides

    count = import_overrides(open_app(database), file, created_by="cli")
    typer.echo(f"Đã ghi {count} ngày điều chỉnh; áp dụng cho hồ sơ tiếp nhận từ bây giờ.")


# -- database, units, officials, procedures ------------------------------------------------

@db_app.command("upgrade")
@friendly
def db_upgrade(database: Database = None) -> None:
    """Tạo mới hoặc nâng cấp lược đồ CSDL, rồi chạy các đợt tính lại dữ liệu còn chờ."""
    from motcua.domain.text import vn_date_time

    app = open_app(database)
    for migration, report in app.data_migrations_run:
        typer.echo(f"Đã chạy “{migration.description}” ({migration.name}): "
                   f"{len(report)} hồ sơ thay đổi.")
        for row in report:
            typer.echo(f"  {row['code']}: hạn {vn_date_time(row['due_before'])} → "
                       f"{vn_date_time(row['due_after'])}; hẹn trả "
                       f"{vn_date_time(row['appointment_before'])} → "
                       f"{vn_date_time(row['appointment_after'])}; đánh giá "
                       f"{row['timeliness_before'] or '—'} → {row['timeliness_after'] or '—'}")
    typer.echo("CSDL đã ở phiên bản mới nhất.")


@db_app.command("rebuild-stats")
@friendly
def db_rebuild_stats(database: Database = None) -> None:
    """Tính lại toàn bộ bộ đếm báo cáo từ hồ sơ (khi nghi ngờ bộ đếm sai lệch)."""
    from motcua.bootstrap import rebuild_stats

    rebuild_stats(open_app(database))
    typer.echo("Đã tính lại bộ đếm báo cáo.")


@units_app.command("agency-code")
@friendly
def units_agency_code(code: str, agency_code: str, database: Database = None) -> None:
    """Ghi mã định danh cơ quan của đơn vị (ví dụ H15.50.05.13), dùng cho mã hồ sơ."""
    from motcua.services.units import set_agency_code

    unit = set_agency_code(open_app(database), code, agency_code)
    typer.echo(f"{unit.name}: mã định danh cơ quan {unit.agency_code or '(không có)'}.")


@units_app.command("import")
@friendly
def units_import(province: Annotated[int, typer.Option("--province")], database: Database = None) -> None:
    """Nạp tỉnh và các xã, phường từ danh mục đơn vị hành chính (sau 01/7/2025)."""
    from motcua.services.units import import_province

    top, added = import_province(open_app(database), province)
    typer.echo(f"{top.name}: đã thêm {added} đơn vị.")


@units_app.command("add")
@friendly
def units_add(code: str, name: str, kind: Annotated[str, typer.Option("--kind")] = "department",
              parent: Annotated[str | None, typer.Option("--parent")] = None,
              database: Database = None) -> None:
    """Thêm một đơn vị."""
    from motcua.services.units import create_unit

    unit = create_unit(open_app(database), code=code, name=name, kind=kind, parent_code=parent)
    typer.echo(f"Đã thêm {unit.name} ({unit.code}).")


@units_app.command("rename")
@friendly
def units_rename(code: str, name: str, from_: Annotated[str, typer.Option("--from")],
                 database: Database = None) -> None:
    """Đổi tên đơn vị từ một ngày."""
    from motcua.services.units import rename_unit

    rename_unit(open_app(database), code, name, _date(from_))
    typer.echo(f"Đã đổi tên {code} thành “{name}” từ ngày {_date(from_):%d/%m/%Y}.")


@units_app.command("merge")
@friendly
def units_merge(sources: list[str], into: Annotated[str, typer.Option("--into")],
                from_: Annotated[str, typer.Option("--from")], database: Database = None) -> None:
    """Sáp nhập các đơn vị vào một đơn vị kế thừa; hồ sơ đang xử lý chuyển theo."""
    from motcua.services.units import merge_units

    moved = merge_units(open_app(database), sources, into, _date(from_))
    typer.echo(f"Đã sáp nhập {len(sources)} đơn vị vào {into}; chuyển {moved} hồ sơ đang xử lý.")


def _date(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError:
        fail(f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd).")


@officials_app.command("add")
@friendly
def officials_add(username: str, full_name: str,
                  password: Annotated[str, typer.Option("--password", prompt=True,
                                                        hide_input=True)],
                  role: Annotated[list[str], typer.Option("--role", help="MÃ_ĐƠN_VỊ:vai_trò")] = (),
                  database: Database = None) -> None:
    """Tạo tài khoản cán bộ (vai trò: desk, specialist, head, signer, admin)."""
    from motcua.services.officials import create_official

    pairs = []
    for item in role:
        if ":" not in item:
            fail(f"--role phải có dạng MÃ_ĐƠN_VỊ:vai_trò, nhận được {item!r}.")
        pairs.append(tuple(item.rsplit(":", 1)))
    official = create_official(open_app(database), username=username, full_name=full_name,
                               password=password, roles=pairs)
    typer.echo(f"Đã tạo tài khoản {official.username} ({official.full_name}).")


@officials_app.command("token")
@friendly
def officials_token(username: str,
                    name: Annotated[str, typer.Option("--name", help="Hệ thống sử dụng mã")] =
                    "Hệ thống kết nối",
                    database: Database = None) -> None:
    """Tạo mã truy cập API (Bearer) cho một hệ thống khác, hành động thay tài khoản cán bộ."""
    from motcua.services.officials import create_api_token

    token = create_api_token(open_app(database), username, name)
    typer.echo("Mã truy cập (chỉ hiện một lần, hãy lưu lại):")
    typer.echo(token)


@officials_app.command("revoke-tokens")
@friendly
def officials_revoke_tokens(username: str, database: Database = None) -> None:
    """Thu hồi mọi mã truy cập API của một tài khoản."""
    from motcua.services.officials import revoke_api_tokens

    count = revoke_api_tokens(open_app(database), username)
    typer.echo(f"Đã thu hồi {count} mã truy cập của {username}.")


@forms_app.command("render")
@friendly
def forms_render(
    form: Annotated[str, typer.Option("--form", help="01 đến 07")],
    out: Annotated[Path, typer.Option("--out", help="Tệp PDF ghi ra")],
    dossier: Annotated[str | None, typer.Option("--dossier", help="Mã hồ sơ (mẫu 01-06)")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Mã đơn vị (mẫu 07)")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Từ ngày (mẫu 07)")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Đến ngày (mẫu 07)")] = None,
    database: Database = None,
) -> None:
    """In một mẫu ra PDF: 01-06 cho một hồ sơ, 07 (sổ theo dõi) cho một đơn vị và khoảng ngày."""
    from motcua.printing import FontMissing, render_form, render_log_book
    from motcua.services import printing

    form = form.strip().zfill(2)
    ctx = open_app(database)
    try:
        if form == "07":
            if not (unit and from_ and to):
                fail("Mẫu 07 cần --unit, --from và --to.")
            pdf = render_log_book(printing.log_book(ctx, unit, _date(from_), _date(to)))
        else:
            if not dossier:
                fail(f"Mẫu {form} cần --dossier MÃ_HỒ_SƠ.")
            data = printing.dossier_forms(ctx, dossier)
            printing.require_form(data, form)
            pdf = render_form(data, form)
    except FontMissing as exc:
        fail(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    typer.echo(f"Đã in mẫu {form} ({printing.FORMS.get(form, '')}) ra {out}.")


@app.command("report")
@friendly
def report_command(
    kind: Annotated[str, typer.Argument(
        help="ontime | steps | workload | index766 | supplements")],
    from_: Annotated[str, typer.Option("--from", help="Từ ngày (dd/mm/yyyy hoặc yyyy-mm-dd)")],
    to: Annotated[str, typer.Option("--to", help="Đến ngày")],
    by: Annotated[str | None, typer.Option(
        "--by", help="unit | procedure | field | channel | official | month")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json | csv | xlsx")] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="Tệp ghi ra")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Chỉ đơn vị này và cấp dưới")] = None,
    database: Database = None,
) -> None:
    """Báo cáo: đúng hạn, trách nhiệm theo bước, khối lượng công việc, Bộ chỉ số 766, yêu cầu
    bổ sung."""
    from motcua.reports import make_report
    from motcua.reports.core import Period
    from motcua.reports.export import to_csv, to_xlsx

    if fmt not in ("json", "csv", "xlsx"):
        fail("--format phải là json, csv hoặc xlsx.")
    if fmt == "xlsx" and out is None:
        fail("Định dạng xlsx cần --out TỆP.xlsx.")
    report = make_report(open_app(database), kind, Period(_date(from_), _date(to)), by, unit)
    if fmt == "json":
        data = json.dumps(report, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    else:
        data = to_csv(report) if fmt == "csv" else to_xlsx(report)
    emit(data, out, f"báo cáo {kind}", newline=fmt == "json")


@app.command("generate")
@friendly
def generate_command(
    province: Annotated[int, typer.Option("--province")] = 66,
    year: Annotated[int, typer.Option("--year")] = 2024,
    dossiers: Annotated[int, typer.Option("--dossiers")] = 10_000,
    seed: Annotated[int, typer.Option("--seed")] = 66,
    database: Database = None,
) -> None:
    """Tạo và nạp nhanh một năm hồ sơ mô phỏng (dữ liệu thử, ghi rõ trong nhật ký)."""
    from rich.progress import Progress

    from motcua.bootstrap import build
    from motcua.demo import setup
    from motcua.generate import generate
    from motcua.reports.lists import current_procedures

    if province != 66:
        fail("Dữ liệu mẫu hiện có cho tỉnh 66 (Đắk Lắk).")
    ctx = build(Settings(province_code=province).with_database(database))
    if not current_procedures(ctx):
        setup(ctx)
    with Progress() as bar:
        task = bar.add_task("Đang tạo hồ sơ", total=dossiers)
        made = generate(ctx, year=year, count=dossiers, seed=seed,
                        progress=lambda n: bar.update(task, completed=n))
    typer.echo(f"Đã nạp {made['dossiers']:,} hồ sơ và {made['steps']:,} bước xử lý năm {year}."
               .replace(",", "."))


@cchc_app.command("import")
@friendly
def cchc_import(file: Path, database: Database = None) -> None:
    """Nhập nhiệm vụ, phiên họp, kết quả kiểm tra, quy định, tuyên truyền, biên chế (CSV/XLSX).

    Tệp có dòng sai bị từ chối toàn bộ, kèm số dòng và lý do.
    """
    from motcua.services.cchc import import_file

    if not file.exists():
        fail(f"Không có tệp {file}.")
    counts = import_file(open_app(database), file.name, file.read_bytes())
    labels = {"tasks": "nhiệm vụ", "meetings": "dòng phiên họp", "findings": "kết quả kiểm tra",
              "regulations": "quy định", "outreach": "hoạt động chỉ đạo, tuyên truyền",
              "staffing": "đơn vị (biên chế)"}
    typer.echo("Đã nhập " + ", ".join(f"{n} {labels[k]}" for k, n in counts.items()) + ".")


@cchc_app.command("report")
@friendly
def cchc_report(
    year: Annotated[int, typer.Option("--year")],
    scope: Annotated[str, typer.Option("--scope", help="national hoặc tên cơ quan")] = "national",
    fmt: Annotated[str, typer.Option("--format", help="json | xlsx | docx")] = "json",
    out: Annotated[Path | None, typer.Option("--out")] = None,
    database: Database = None,
) -> None:
    """Báo cáo CCHC năm: số liệu JSON, Excel hoặc văn bản Word."""
    from motcua.reports import cchc_annual
    from motcua.reports.cchc_docs import to_docx, to_xlsx

    if fmt not in ("json", "xlsx", "docx"):
        fail("--format phải là json, xlsx hoặc docx.")
    if fmt != "json" and out is None:
        fail(f"Định dạng {fmt} cần --out TỆP.")
    report = cchc_annual(open_app(database), year, None if scope == "national" else scope)
    if fmt == "json":
        data = json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8")
    else:
        data = to_docx(report) if fmt == "docx" else to_xlsx(report)
    emit(data, out, f"báo cáo CCHC năm {year}", newline=fmt == "json")


@procedures_app.command("import")
@friendly
def procedures_import(file: Path, database: Database = None) -> None:
    """Nhập thủ tục từ tệp JSON hoặc Excel (.xlsx); thủ tục thay đổi thành phiên bản mới."""
    from motcua.services.procedures import read_procedures_file, save_procedures

    created, unchanged = save_procedures(open_app(database), read_procedures_file(file))
    typer.echo(f"Đã lưu {created} phiên bản mới; {unchanged} thủ tục không thay đổi.")


@procedures_app.command("export")
@friendly
def procedures_export(file: Path, database: Database = None) -> None:
    """Xuất danh mục thủ tục hiện hành ra JSON hoặc Excel (.xlsx)."""
    from motcua.services.procedures import list_procedures, write_procedures_file

    procedures = list_procedures(open_app(database))
    write_procedures_file(procedures, file)
    typer.echo(f"Đã xuất {len(procedures)} thủ tục ra {file}.")


@dossiers_app.command("transitions")
def dossiers_transitions(
    format: Annotated[str, typer.Option("--format", help="json | table")] = "table",
) -> None:
    """Bảng chuyển trạng thái của hồ sơ: từ đâu, tới đâu, ai được làm, cần những trường nào."""
    from motcua.domain.lifecycle import TRANSITIONS

    rows = [t.as_dict() for t in TRANSITIONS]
    if format == "json":
        echo_json(rows)
        return
    scopes = {"desk": "đơn vị tiếp nhận", "step": "đơn vị giữ bước", "any": "đơn vị liên quan"}
    for r in rows:
        who = ",".join(r["roles"]) or "người nộp hồ sơ"
        typer.echo(f"{r['action']:<20} {r['label']:<45} {','.join(r['from'])} -> "
                   f"{','.join(r['to'])}  (lý do: {r['reason']}; quyền: {who} tại "
                   f"{scopes[r['scope']]}; trường: {','.join(r['fields']) or '—'})")


@dossiers_app.command("close-unsupplemented")
@friendly
def dossiers_close_unsupplemented(database: Database = None) -> None:
    """Đóng các hồ sơ quá 15 ngày kể từ ngày thông báo bổ sung mà chưa được bổ sung."""
    from motcua.services.dossiers import close_unsupplemented

    closed = close_unsupplemented(open_app(database))
    typer.echo(f"Đã đóng {len(closed)} hồ sơ quá hạn bổ sung"
               + (f": {', '.join(closed)}." if closed else "."))


@dossiers_app.command("show")
@friendly
def dossiers_show(code: str, database: Database = None) -> None:
    """In hồ sơ (JSON)."""
    from motcua.services.dossiers import get_dossier

    echo_json(get_dossier(open_app(database), code))


# -- audit and replay ------------------------------------------------------------------------

@audit_app.command("verify")
@friendly
def audit_verify(database: Database = None) -> None:
    """Kiểm tra chuỗi băm nhật ký của mọi hồ sơ; mã thoát khác 0 nếu có chỗ bị sửa."""
    from motcua.services.audit import verify_audit

    broken = verify_audit(open_app(database))
    for code, problem in broken:
        typer.echo(f"Hồ sơ {code}: {problem}", err=True)
    if broken:
        raise typer.Exit(1)
    typer.echo("Nhật ký của mọi hồ sơ nguyên vẹn.")


@app.command("replay")
def replay_command(
    scenario: Path,
    catalog: Annotated[Path, typer.Option("--catalog")],
    database: Annotated[str | None, typer.Option("--database")] = None,
) -> None:
    """Chạy lại một kịch bản (JSONL) với đồng hồ đặt theo từng dòng; in một JSON mỗi hồ sơ."""
    from motcua.replay import ReplayError, run_replay

    try:
        for line in run_replay(catalog, scenario, database):
            echo_json(line)
    except ReplayError as exc:
        echo_json({"error": exc.as_dict()})
        raise typer.Exit(1) from None
    except MotcuaError as exc:
        echo_json({"error": exc.as_dict()})
        raise typer.Exit(1) from None


@app.command("demo")
def demo_command(
    port: Annotated[int, typer.Option("--port")] = 8000,
    data_dir: Annotated[Path, typer.Option("--data-dir")] = Path("var"),
    dossiers: Annotated[int, typer.Option("--dossiers")] = 300,
    serve: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Tạo CSDL SQLite mẫu cho Đắk Lắk (nếu chưa có), in tài khoản demo và chạy web."""
    import secrets

    from rich.progress import Progress

    from motcua.bootstrap import build
    from motcua.demo import DEMO_PASSWORD, load_demo

    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "motcua.sqlite3"
    fresh = not db_path.exists()
    ctx = build(Settings(database_url=f"sqlite:///{db_path}", data_dir=data_dir,
                         public_url=f"http://127.0.0.1:{port}"))
    if fresh:
        with Progress() as bar:
            task = bar.add_task("Đang tạo hồ sơ mẫu", total=dossiers)
            logins = load_demo(ctx, dossiers, progress=lambda n: bar.update(task, completed=n))
        (data_dir / "demo-logins.json").write_text(json.dumps(logins, ensure_ascii=False), "utf-8")
    logins = json.loads((data_dir / "demo-logins.json").read_text("utf-8"))
    typer.echo(f"\nTài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
    for username, _, label in logins:
        typer.echo(f"  {username:<24} {label}")
    key_file = data_dir / "secret.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32), "utf-8")
    typer.echo(f"\nĐang phục vụ tại http://127.0.0.1:{port} (Ctrl+C để dừng)")
    if serve:
        import uvicorn

        from motcua.web.app import create_app

        uvicorn.run(create_app(ctx, key_file.read_text("utf-8")), host="127.0.0.1", port=port,
                    log_level="warning")


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="motcua")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
