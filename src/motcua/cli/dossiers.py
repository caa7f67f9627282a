"""``motcua dossiers`` and ``motcua audit``: the lifecycle table, dossiers, the audit chain."""

from __future__ import annotations

from typing import Annotated

import typer

from motcua.cli.common import (
    Database,
    echo_json,
    fail,
    friendly,
    open_app,
    sub_app,
)
from motcua.domain.text import vn_number
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
    """Kiểm tra nhật ký: chuỗi băm, dấu niêm phong, trạng thái hồ sơ và các mốc kiểm tra;
    mã thoát khác 0 nếu có chỗ bị sửa hoặc bị xóa."""
    from motcua.services.audit import verify_audit

    app = open_app(database)
    report = verify_audit(app)
    if report.wrong_key_suspected:
        fail(f"Không dấu niêm phong nào khớp với khóa {app.settings.audit_key_path}: có thể "
             "đang dùng sai thư mục dữ liệu (MOTCUA_DATA_DIR) hoặc sai tệp khóa "
             "(MOTCUA_AUDIT_KEY_FILE) của cơ sở dữ liệu này.", 1)
    for code, problem in report.broken:
        typer.echo(f"{code}: {problem}", err=True)
    typer.echo(f"Đã kiểm tra {vn_number(report.checked)} hồ sơ và "
               f"{vn_number(report.checkpoints)} mốc kiểm tra"
               + (f"; {vn_number(report.without_state)} hồ sơ chỉ có chuỗi băm (dữ liệu cũ hoặc "
                  "dữ liệu mô phỏng, chưa có dấu trạng thái)" if report.without_state else "")
               + ".")
    if report.broken:
        typer.echo(f"Phát hiện {vn_number(len(report.broken))} chỗ không nguyên vẹn; "
                   "xem docs/operations.md, mục “Khi kiểm tra nhật ký báo lỗi”.", err=True)
        raise typer.Exit(1)
    typer.echo("Nhật ký của mọi hồ sơ nguyên vẹn.")


@audit_app.command("checkpoint")
@friendly
def audit_checkpoint(database: Database = None) -> None:
    """Lập mốc kiểm tra có chữ ký (số hồ sơ và mã băm theo từng nơi tiếp nhận); chạy hằng ngày."""
    from motcua.services.audit import create_checkpoint

    written = create_checkpoint(open_app(database))
    typer.echo(f"Đã lập {vn_number(written)} mốc kiểm tra.")
