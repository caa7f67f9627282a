"""``motcua report``, ``motcua generate`` and ``motcua cchc``: leaders' figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from motcua.cli.common import (
    Database,
    _date,
    emit,
    fail,
    friendly,
    open_app,
    sub_app,
)
from motcua.settings import Settings

cchc_app = sub_app("Chương trình cải cách hành chính (CCHC).")


@friendly
def report_command(
    kind: Annotated[str, typer.Argument(
        help="ontime | steps | workload | index766 | supplements | digitisation | feedback")],
    from_: Annotated[str, typer.Option("--from", help="Từ ngày (dd/mm/yyyy hoặc yyyy-mm-dd)")],
    to: Annotated[str, typer.Option("--to", help="Đến ngày")],
    by: Annotated[str | None, typer.Option(
        "--by", help="unit | procedure | field | channel | official | month")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json | csv | xlsx")] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="Tệp ghi ra")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Chỉ đơn vị này và cấp dưới")] = None,
    database: Database = None,
) -> None:
    """Báo cáo: đúng hạn, theo bước, khối lượng, Bộ chỉ số 766, yêu cầu bổ sung, số hóa,
    phản ánh kiến nghị."""
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


@cchc_app.command("template")
@friendly
def cchc_template(name: str, out: Annotated[Path, typer.Option("--out", help="Tệp .xlsx ghi ra.")]
                  ) -> None:
    """Ghi mẫu Excel để nhập một loại dữ liệu CCHC (nhiem-vu, phien-hop, kiem-tra, quy-dinh,
    tuyen-truyen, bien-che)."""
    from motcua.reports.cchc_templates import template_xlsx

    out.write_bytes(template_xlsx(name))
    typer.echo(f"Đã ghi mẫu {name} vào {out}.")


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
    from motcua.reports.cchc_docs import Issuer, to_docx, to_xlsx

    if fmt not in ("json", "xlsx", "docx"):
        fail("--format phải là json, xlsx hoặc docx.")
    if fmt != "json" and out is None:
        fail(f"Định dạng {fmt} cần --out TỆP.")
    app = open_app(database)
    report = cchc_annual(app, year, None if scope == "national" else scope)
    if fmt == "json":
        data = json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8")
    else:
        issuer = Issuer.from_settings(app.settings, app.clock.now().date())
        data = to_docx(report, issuer) if fmt == "docx" else to_xlsx(report)
    emit(data, out, f"báo cáo CCHC năm {year}", newline=fmt == "json")
