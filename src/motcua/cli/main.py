"""The ``motcua`` command line. Messages for people are in Vietnamese.

Each sub-command lives in its own module of this package; this one assembles them
and holds ``replay`` and ``demo``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from motcua.cli import (
    calendar,
    database,
    dossiers,
    forms,
    officials,
    operations,
    procedures,
    reports,
    sync,
    units,
)
from motcua.cli.common import (
    Database,
    echo_json,
)
from motcua.cli.vietnamese import VietnameseTyper
from motcua.domain.errors import MotcuaError
from motcua.settings import Settings


def _vietnamese_help() -> None:
    """Typer's own words in the help screens, in Vietnamese (its panel titles and notes
    are module settings read when a help screen is drawn). The usage line, the --help
    line and parse errors come from ``motcua.cli.vietnamese``."""
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = "Tham số"
    rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
    rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
    rich_utils.ERRORS_PANEL_TITLE = "Lỗi"
    rich_utils.DEFAULT_STRING = "[mặc định: {}]"
    rich_utils.ENVVAR_STRING = "[biến môi trường: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
    rich_utils.ABORTED_TEXT = "Đã dừng."
    rich_utils.RICH_HELP = "Xem [blue]'{command_path} {help_option}'[/] để được hướng dẫn."


_vietnamese_help()
app = VietnameseTyper(help="motcua: hệ thống một cửa giải quyết thủ tục hành chính.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
for sub, name in ((calendar.calendar_app, "calendar"), (units.units_app, "units"),
                  (officials.officials_app, "officials"),
                  (procedures.procedures_app, "procedures"), (dossiers.audit_app, "audit"),
                  (database.db_app, "db"), (dossiers.dossiers_app, "dossiers"),
                  (forms.forms_app, "forms"), (reports.cchc_app, "cchc"),
                  (operations.files_app, "files"), (sync.sync_app, "sync")):
    app.add_typer(sub, name=name)
@app.callback()
def main_options(database: Database = None) -> None:
    """motcua: hệ thống một cửa giải quyết thủ tục hành chính.

    --database trước tên lệnh áp dụng cho mọi lệnh con (như MOTCUA_DATABASE_URL).
    """
    if database:
        import os

        os.environ["MOTCUA_DATABASE_URL"] = database


app.command("report")(reports.report_command)
app.command("generate")(reports.generate_command)
app.command("serve")(operations.serve_command)
app.command("worker")(operations.worker_command)
app.command("backup")(operations.backup_command)
app.command("restore")(operations.restore_command)


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
    smtp_port: Annotated[int, typer.Option("--smtp-port", help="Cổng máy chủ thư thử nghiệm.")] = 8025,
    providers_port: Annotated[int, typer.Option(
        "--providers-port", help="Cổng trình mô phỏng nhà cung cấp SMS, Zalo.")] = 8026,
    carrier_port: Annotated[int, typer.Option(
        "--carrier-port", help="Cổng trình mô phỏng đơn vị bưu chính.")] = 8027,
    portal_port: Annotated[int, typer.Option(
        "--portal-port", help="Cổng trình mô phỏng Cổng Dịch vụ công quốc gia.")] = 8028,
    identity_port: Annotated[int, typer.Option(
        "--identity-port", help="Cổng nhà cung cấp định danh (OpenID Connect) mô phỏng.")] = 8029,
    payment_port: Annotated[int, typer.Option(
        "--payment-port", help="Cổng trình mô phỏng cổng thanh toán trực tuyến.")] = 8030,
    population_port: Annotated[int, typer.Option(
        "--population-port", help="Cổng trình mô phỏng CSDL quốc gia về dân cư.")] = 8031,
) -> None:
    """Tạo CSDL SQLite mẫu cho Đắk Lắk (nếu chưa có), in tài khoản demo và chạy web."""
    import secrets

    from rich.progress import Progress

    from motcua.bootstrap import build
    from motcua.demo import DEMO_PASSWORD, OutsideSystems, load_demo

    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "motcua.sqlite3"
    fresh = not db_path.exists()
    public_url = f"http://127.0.0.1:{port}"
    outside = OutsideSystems(data_dir, public_url, smtp_port, providers_port,
                             carrier_port, portal_port, identity_port,
                             payment_port, population_port) if serve else None
    ctx = build(Settings(database_url=f"sqlite:///{db_path}", data_dir=data_dir,
                         public_url=public_url, **(outside.settings if outside else {})))
    if fresh:
        with Progress() as bar:
            task = bar.add_task("Đang tạo hồ sơ mẫu", total=dossiers)
            logins = load_demo(ctx, dossiers, progress=lambda n: bar.update(task, completed=n))
        (data_dir / "demo-logins.json").write_text(json.dumps(logins, ensure_ascii=False), "utf-8")
        from motcua.services.audit import create_checkpoint

        create_checkpoint(ctx)  # the first signed checkpoint of the audit record
    logins = json.loads((data_dir / "demo-logins.json").read_text("utf-8"))
    typer.echo(f"\nTài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
    for username, _, label in logins:
        typer.echo(f"  {username:<24} {label}")
    key_file = data_dir / "secret.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32), "utf-8")
    if serve:
        import threading

        import uvicorn

        from motcua.web.app import create_app
        from motcua.worker import Worker

        worker = Worker(ctx)  # beside the server: sends the messages, reminds, escalates
        threading.Thread(target=worker.run, name="motcua-worker", daemon=True).start()
        typer.echo(f"\nThư hệ thống gửi đi: {public_url}/hop-thu-thu-nghiem (máy chủ thư "
                   f"thử nghiệm 127.0.0.1:{smtp_port}); SMS và Zalo: trình mô phỏng "
                   f"{outside.providers.url}/_messages; bưu chính: trình mô phỏng "
                   f"{outside.carrier.url}/_orders (bưu gửi tự chuyển trạng thái mỗi 30 giây); "
                   f"Cổng Dịch vụ công quốc gia: trình mô phỏng {outside.portal.url}/_state "
                   f"(đồng bộ: {public_url}/dong-bo)")
        from motcua.demo import demo_citizen

        outside.register_people(ctx)
        who = demo_citizen(ctx, outside.identity_url)
        if who:
            typer.echo(f"Công dân đăng nhập bằng định danh điện tử (mô phỏng): "
                       f"{public_url}/ho-so-cua-toi, tại trang của nhà cung cấp gõ {who}")
        typer.echo(f"Đang phục vụ tại {public_url} (Ctrl+C để dừng)")
        try:
            uvicorn.run(create_app(ctx, key_file.read_text("utf-8")), host="127.0.0.1",
                        port=port, log_level="warning")
        finally:
            worker.stop()
            outside.stop()


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="motcua")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
