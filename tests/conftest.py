"""Shared fixtures: a calendar, a fresh migrated database per test, named personas."""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from motcua.bootstrap import build
from motcua.calendar_sources import build_calendar
from motcua.domain.calendar import VN_TZ
from motcua.domain.clock import FixedClock
from motcua.services.officials import create_official
from motcua.services.procedures import procedure_from_dict, save_procedures
from motcua.services.units import create_unit
from motcua.settings import Settings
from tests import personas  # noqa: E402

PG_URL = os.environ.get("MOTCUA_TEST_DATABASE_URL", "")


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN_TZ)


@pytest.fixture(scope="session")
def cal():
    return build_calendar(first_year=2020, last_year=2030)


def _reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    from motcua.storage.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path):
    """A fresh database: PostgreSQL when MOTCUA_TEST_DATABASE_URL is set, else SQLite."""
    if PG_URL:
        _reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path}/test.sqlite3"


@pytest.fixture
def app(database_url, tmp_path):
    clock = FixedClock(vn(2026, 1, 5, 9, 0))
    application = build(Settings(database_url=database_url, province_code=66,
                                 data_dir=tmp_path / "data"), clock=clock)
    yield application
    application.close()


@pytest.fixture
def world(app):
    """A commune, a second commune, a department, their officials, one procedure."""
    create_unit(app, code="24175", name="Xã Hòa Phú", kind="commune")
    create_unit(app, code="24133", name="Phường Buôn Ma Thuột", kind="ward")
    create_unit(app, code="SO-TP", name="Sở Tư pháp", kind="department")
    save_procedures(app, [procedure_from_dict(personas.BIRTH)])
    people = {}
    for username, roles in {
        "tiepnhan": [("24175", "desk")], "chuyenvien": [("24175", "specialist")],
        "truongphong": [("24175", "head")], "lanhdao": [("SO-TP", "signer")],
        "tiepnhan2": [("24133", "desk")],
    }.items():
        people[username] = create_official(app, username=username, full_name=username.title(),
                                           password="mat-khau-demo", roles=roles)
    return people
