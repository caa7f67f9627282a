"""What every ``motcua`` sub-command shares: the database option, Vietnamese failures,
writing a file or standard output, opening the app."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer

from motcua.cli.vietnamese import VietnameseTyper
from motcua.domain.errors import MotcuaError
from motcua.domain.text import parse_date
from motcua.domain.text import parse_instant as text_instant
from motcua.settings import Settings

Database = Annotated[str | None, typer.Option(
    "--database", envvar="MOTCUA_DATABASE_URL",
    help="Địa chỉ CSDL (mặc định: tệp SQLite var/motcua.sqlite3).")]


def sub_app(help_text: str) -> typer.Typer:
    return VietnameseTyper(help=help_text, no_args_is_help=True)


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


def _date(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError:
        fail(f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd).")
