"""``motcua procedures``: procedures and their step plans."""

from __future__ import annotations

from pathlib import Path

import typer

from motcua.cli.common import (
    Database,
    friendly,
    open_app,
    sub_app,
)

procedures_app = sub_app("Thủ tục hành chính và quy trình nội bộ.")


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
