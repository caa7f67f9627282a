"""Operations as an administrator runs them: backup, restore and verify as one round trip,
the file check and the sweep of orphans, the password reset (real processes)."""

from __future__ import annotations

import os
import time

import sqlalchemy as sa

from motcua.domain.commands import CompleteStep
from motcua.domain.documents import Upload
from motcua.services import dossiers as uc
from tests.conftest import PG_URL
from tests.e2e.test_cli import motcua
from tests.e2e.test_web import PDF
from tests.personas import CITIZEN

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64


def _env(database_url: str, data_dir) -> None:
    os.environ["MOTCUA_DATABASE_URL"] = database_url
    os.environ["MOTCUA_DATA_DIR"] = str(data_dir)


def _filed(app, world) -> str:
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN, official=world["tiepnhan"],
                              uploads=[Upload("Tờ khai", "to-khai.pdf", PDF),
                                       Upload("Giấy chứng sinh", "chung-sinh.jpg", JPEG)]).code
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    return code


def test_backup_restore_verify_is_one_round_trip(app, world, tmp_path, monkeypatch):
    codes = [_filed(app, world) for _ in range(3)]
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", app.settings.database_url)
    done = motcua("backup", "--out", str(tmp_path / "sao-luu"))
    assert "3 hồ sơ" in done.stdout and "2 tệp" in done.stdout
    [folder] = (tmp_path / "sao-luu").iterdir()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert {p.name for p in folder.iterdir()} >= {"manifest.json", "files", "keys"}

    # disaster: the database and the files are gone; restored elsewhere (SQLite) or in
    # place after the schema is dropped (PostgreSQL)
    if PG_URL:
        app.close()
        with sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://")
                              ).begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        target = PG_URL
    else:
        target = f"sqlite:///{tmp_path}/khoi-phuc/motcua.sqlite3"
    monkeypatch.setenv("MOTCUA_DATABASE_URL", target)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "may-moi"))
    restored = motcua("restore", str(folder))
    assert "Đã khôi phục 3 hồ sơ và 2 tệp" in restored.stdout
    assert "thiếu 0; hỏng 0" in restored.stdout and "toàn vẹn" in restored.stdout
    verified = motcua("audit", "verify")
    assert "Đã kiểm tra 3 hồ sơ" in verified.stdout
    listed = motcua("report", "ontime", "--from", "2026-01-01", "--to", "2026-01-31",
                    check=False)
    assert listed.returncode == 0, listed.stderr

    # a second restore over live data is refused, unless forced
    again = motcua("restore", str(folder), check=False)
    assert again.returncode == 2 and "đã có hồ sơ" in again.stderr
    # a backup whose file went missing restores, but says so and exits non-zero
    next(iter((folder / "files").glob("??/??/*"))).unlink()
    for path in (tmp_path / "may-moi" / "files").glob("??/??/*"):
        path.unlink()
    damaged = motcua("restore", str(folder), "--force", check=False)
    assert damaged.returncode == 1 and "thiếu 1" in damaged.stdout
    assert codes[0][:5] == "24175"


def test_files_check_and_sweep(app, world, monkeypatch):
    _filed(app, world)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", app.settings.database_url)
    assert "thiếu 0; hỏng 0" in motcua("files", "check").stdout
    orphan = app.files.put(b"%PDF-1.4 tep mo coi")  # an upload whose act was refused
    path = app.files.path(orphan)
    old = time.time() - 2 * 3600
    os.utime(path, (old, old))
    listed = motcua("files", "sweep", "--dry-run")
    assert "Sẽ xóa 1 tệp" in listed.stdout and path.exists()
    assert "Đã xóa 1 tệp" in motcua("files", "sweep").stdout and not path.exists()
    # a referenced file damaged on disk is reported
    kept = next(app.files.stored())[1]
    kept.write_bytes(b"hong")
    damaged = motcua("files", "check", check=False)
    assert damaged.returncode == 1 and "hỏng 1" in damaged.stdout


def test_a_password_reset_from_the_command_line(app, world, monkeypatch):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", app.settings.database_url)
    done = motcua("officials", "password", "tiepnhan", "--password", "mat-khau-moi-2026")
    assert "Đã đặt lại mật khẩu cho tiepnhan" in done.stdout
    short = motcua("officials", "password", "tiepnhan", "--password", "ngan", check=False)
    assert short.returncode == 2 and "ít nhất 8 ký tự" in short.stderr


def test_the_database_option_before_the_command_and_a_wrong_key_named(app, world, tmp_path,
                                                                      monkeypatch):
    for _ in range(2):
        _filed(app, world)
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(app.settings.data_dir))
    ok = motcua("--database", app.settings.database_url, "audit", "verify")
    assert "Đã kiểm tra 2 hồ sơ" in ok.stdout
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "thu-muc-khac"))
    wrong = motcua("--database", app.settings.database_url, "audit", "verify", check=False)
    assert wrong.returncode == 1 and "sai thư mục dữ liệu" in wrong.stderr
