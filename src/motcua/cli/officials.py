"""``motcua officials``: officials, roles and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from motcua.cli.common import (
    Database,
    fail,
    friendly,
    open_app,
    sub_app,
)

officials_app = sub_app("Cán bộ và vai trò.")


@officials_app.command("add")
@friendly
def officials_add(username: str, full_name: str,
                  password: Annotated[str, typer.Option("--password", prompt=True,
                                                        hide_input=True)],
                  role: Annotated[list[str], typer.Option("--role", help="MÃ_ĐƠN_VỊ:vai_trò")] = (),
                  email: Annotated[str, typer.Option(
                      "--email", help="Thư điện tử nhận nhắc việc, chuyển cấp.")] = "",
                  database: Database = None) -> None:
    """Tạo tài khoản cán bộ (vai trò: desk, specialist, head, signer, admin)."""
    from motcua.services.officials import create_official

    pairs = []
    for item in role:
        if ":" not in item:
            fail(f"--role phải có dạng MÃ_ĐƠN_VỊ:vai_trò, nhận được {item!r}.")
        pairs.append(tuple(item.rsplit(":", 1)))
    official = create_official(open_app(database), username=username, full_name=full_name,
                               password=password, roles=pairs, email=email)
    typer.echo(f"Đã tạo tài khoản {official.username} ({official.full_name}).")


@officials_app.command("set-email")
@friendly
def officials_set_email(username: str, email: str, database: Database = None) -> None:
    """Đặt thư điện tử nhận nhắc việc, chuyển cấp của cán bộ (chuỗi rỗng: không gửi thư)."""
    from motcua.services.officials import set_email

    official = set_email(open_app(database), username, email)
    typer.echo(f"Thư nhắc việc của {official.username} gửi đến: {official.email or 'không gửi'}.")


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


@officials_app.command("password")
@friendly
def officials_password(username: str,
                       password: Annotated[str, typer.Option(
                           "--password", prompt="Mật khẩu mới", hide_input=True,
                           confirmation_prompt=True)],
                       database: Database = None) -> None:
    """Đặt lại mật khẩu một tài khoản; mọi phiên đăng nhập của tài khoản kết thúc."""
    from motcua.services.officials import set_password

    ended = set_password(open_app(database), username, password)
    typer.echo(f"Đã đặt lại mật khẩu cho {username}; đã kết thúc {ended} phiên đăng nhập.")
