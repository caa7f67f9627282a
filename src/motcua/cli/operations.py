"""``motcua serve``, ``motcua backup``, ``motcua restore`` and ``motcua files``: running
and keeping a production installation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from motcua.cli.common import Database, fail, friendly, open_app, sub_app
from motcua.domain.text import vn_number

files_app = sub_app("Tệp đính kèm đã lưu.")


def serve_command(
    database: Database = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64,
                                         help="Số tiến trình phục vụ.")] = 2,
    trusted_proxies: Annotated[str | None, typer.Option(
        "--trusted-proxies", envvar="MOTCUA_TRUSTED_PROXIES",
        help="Địa chỉ proxy được tin X-Forwarded-For, ví dụ 127.0.0.1,10.0.0.0/24.")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", envvar="MOTCUA_DATA_DIR")] = None,
) -> None:
    """Chạy máy chủ web cho vận hành thật (uvicorn, nhiều tiến trình, sau reverse proxy)."""
    import uvicorn

    from motcua.bootstrap import build
    from motcua.settings import Settings

    # the workers build their app from the environment: give them these choices
    for name, value in (("DATABASE_URL", database), ("TRUSTED_PROXIES", trusted_proxies),
                        ("DATA_DIR", str(data_dir) if data_dir else None)):
        if value is not None:
            os.environ[f"MOTCUA_{name}"] = value
    settings = Settings()
    app = build(settings)  # migrate once, create the key files, before the workers start
    app.close()
    typer.echo(f"motcua phục vụ tại http://{host}:{port} với {workers} tiến trình "
               f"(CSDL: {_redacted(settings.database_url)}).")
    # proxy_headers off: motcua reads X-Forwarded-For itself, from trusted proxies only
    uvicorn.run("motcua.web.asgi:create", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False, server_header=False, log_level="warning",
                timeout_graceful_shutdown=10)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@friendly
def backup_command(
    out: Annotated[Path, typer.Option("--out", help="Thư mục chứa các bản sao lưu.")],
    database: Database = None,
) -> None:
    """Sao lưu CSDL, tệp đính kèm và khóa vào một thư mục mới (quyền 0700)."""
    from motcua.operations import OperationError, backup

    app = open_app(database)
    try:
        target = backup(app, out)
    except (OperationError, RuntimeError) as exc:
        fail(str(exc))
    finally:
        app.close()
    import json

    counts = json.loads((target / "manifest.json").read_text("utf-8"))["counts"]
    typer.echo(f"Đã sao lưu vào {target}: {vn_number(counts['dossiers'])} hồ sơ, "
               f"{vn_number(counts['audit_events'])} sự kiện nhật ký, "
               f"{vn_number(counts['files'])} tệp, 2 khóa.")


@friendly
def restore_command(
    source: Annotated[Path, typer.Argument(help="Thư mục bản sao lưu (motcua-backup-…).")],
    database: Database = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè CSDL đã có hồ sơ, khóa khác.")]
    = False,
) -> None:
    """Khôi phục một bản sao lưu, rồi kiểm tra nhật ký và tệp; mã thoát khác 0 nếu chưa toàn vẹn."""
    from motcua.operations import OperationError, restore
    from motcua.settings import Settings

    try:
        report = restore(Settings().with_database(database), source, force=force)
    except (OperationError, RuntimeError) as exc:
        fail(str(exc))
    counts = report.manifest["counts"]
    typer.echo(f"Đã khôi phục {vn_number(counts['dossiers'])} hồ sơ và "
               f"{vn_number(counts['files'])} tệp từ {source}.")
    _print_files(report.files)
    for code, problem in report.audit_broken:
        typer.echo(f"{code}: {problem}", err=True)
    if report.audit_broken or not report.files.whole:
        fail("Dữ liệu khôi phục chưa toàn vẹn; xem docs/operations.md trước khi dùng.", 1)
    typer.echo("Nhật ký và tệp đính kèm toàn vẹn; có thể đưa vào sử dụng.")


def _print_files(report) -> None:
    typer.echo(f"Tệp được hồ sơ tham chiếu: {vn_number(report.referenced)}; thiếu "
               f"{vn_number(len(report.missing))}; hỏng {vn_number(len(report.damaged))}.")
    for sha in report.missing:
        typer.echo(f"  thiếu: {sha}", err=True)
    for sha in report.damaged:
        typer.echo(f"  hỏng (mã băm không khớp): {sha}", err=True)


@files_app.command("check")
@friendly
def files_check(database: Database = None) -> None:
    """Kiểm tra mọi tệp hồ sơ tham chiếu còn trên đĩa và đúng mã băm."""
    from motcua.operations import check_files

    report = check_files(open_app(database))
    _print_files(report)
    if not report.whole:
        raise typer.Exit(1)


@files_app.command("sweep")
@friendly
def files_sweep(
    database: Database = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ liệt kê, không xóa.")] = False,
    grace_minutes: Annotated[int, typer.Option("--grace-minutes", min=5)] = 60,
) -> None:
    """Xóa tệp không hồ sơ nào tham chiếu (tải lên rồi thao tác bị từ chối hoặc máy dừng đột ngột)."""
    from motcua.operations import sweep_files

    gone = sweep_files(open_app(database), grace_s=grace_minutes * 60, dry_run=dry_run)
    for path in gone:
        typer.echo(f"  {path}")
    typer.echo(("Sẽ xóa" if dry_run else "Đã xóa") + f" {vn_number(len(gone))} tệp mồ côi.")


@friendly
def worker_command(
    database: Database = None,
    once: Annotated[bool, typer.Option(
        "--once", help="Gửi hết thông báo đến hạn, chạy các việc định kỳ đến lượt rồi dừng.")] = False,
    batch: Annotated[int, typer.Option("--batch", min=1, max=1000,
                                       help="Số thông báo nhận gửi mỗi lượt.")] = 100,
    lease_seconds: Annotated[int, typer.Option(
        "--lease", min=5, help="Quá số giây này, thông báo đang gửi dở của tiến trình đã dừng "
                               "được gửi lại.")] = 300,
) -> None:
    """Chạy tiến trình nền: gửi thông báo (thư, SMS, Zalo), nhắc việc, chuyển cấp, đóng hồ sơ
    quá hạn bổ sung. Dừng bằng Ctrl+C hoặc SIGTERM."""
    import logging
    from datetime import timedelta

    from motcua.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    worker = Worker(open_app(database), batch=batch, lease=timedelta(seconds=lease_seconds))
    if not once:
        worker.handle_signals()  # before the line below: who reads it may signal at once
    configured = ", ".join(c.label for c in worker.senders) or "chưa cấu hình kênh nào"
    typer.echo(f"Tiến trình nền motcua: kênh gửi {configured}.")
    if once:
        jobs = worker.run_jobs()
        sent = worker.drain()
        scans = worker.read_scans()
        typer.echo(f"Đã xử lý {vn_number(sent)} thông báo, {vn_number(scans)} bản quét; việc "
                   f"định kỳ đã chạy: {', '.join(jobs) or 'không có'}.")
        return
    worker.run()
    typer.echo(f"Đã dừng; kết quả gửi: {worker.totals.counts}.")
