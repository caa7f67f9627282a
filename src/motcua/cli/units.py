"""``motcua units``: agencies and units."""

from __future__ import annotations

from typing import Annotated

import typer

from motcua.cli.common import (
    Database,
    _date,
    friendly,
    open_app,
    sub_app,
)

units_app = sub_app("Cơ quan, đơn vị.")


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
