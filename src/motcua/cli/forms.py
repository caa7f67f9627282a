"""``motcua forms``: the Circular 03/2025 forms as PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from motcua.cli.common import (
    Database,
    _date,
    fail,
    friendly,
    open_app,
    sub_app,
)

forms_app = sub_app("In biểu mẫu theo Thông tư 03/2025/TT-VPCP.")


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
    from motcua.forms import content as printing
    from motcua.forms.pdf import FontMissing, render_form, render_log_book

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
