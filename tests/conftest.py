"""Shared fixtures: a calendar, a fresh migrated database per test, named personas."""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from motcua.calendar_sources import build_calendar
from motcua.domain.calendar import VN_TZ

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
