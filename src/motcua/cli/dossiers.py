"""``motcua dossiers`` and ``motcua audit``: the lifecycle table, dossiers, the audit chain."""

from __future__ import annotations

from typing import Annotated

import typer

from motcua.cli.common import (
    Database,
    echo_json,
    friendly,
    open_app,
    sub_app,
)
from motcua.serialize import to_json

dossiers_app = sub_app("Hồ sơ.")
audit_app = sub_app("Nhật ký thao tác.")


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

    echo_json(to_json(get_dossier(open_app(database), code)))


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
