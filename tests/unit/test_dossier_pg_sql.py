"""The SQL the PostgreSQL save path sends (its behaviour is tested on PostgreSQL in CI)."""

from __future__ import annotations

import json
from datetime import date, datetime

from motcua.domain.calendar import VN_TZ
from motcua.domain.dossiers import Status
from motcua.storage import dossier_pg, repositories
from motcua.storage.dossier_pg import Statement, as_json


def test_named_placeholders_become_numbered_once_each():
    statement = Statement("SELECT %(a)s, %(b)s, %(a)s WHERE name LIKE 'x%%'")
    assert statement.sql == "SELECT $1, $2, $1 WHERE name LIKE 'x%'"
    assert statement.names == ("a", "b")


def test_a_save_statement_carries_only_the_parts_it_has_rows_for():
    save = dossier_pg.SAVE
    statement, params = save.statement(False, {"events": [{"seq": 2}], "steps_changed": [],
                                               "steps_new": []})
    assert set(params) == {"events"}
    assert "dossier_steps" not in statement.sql and "INSERT INTO audit_events" in statement.sql
    # a stale version changes no row, and the division makes the whole statement fail
    assert statement.sql.endswith("SELECT 1 / count(*) FROM d")
    assert set(statement.names) == {"id", "loaded_version", "dossier", "events"}
    new, _ = save.statement(True, {"events": [{"seq": 1}], "steps_new": [{"seq": 1}]})
    assert new.sql.startswith("WITH d AS (INSERT INTO dossiers")
    assert "steps_new AS (INSERT INTO dossier_steps" in new.sql
    assert new.sql.endswith("SELECT id FROM d")


def test_rows_travel_as_json_with_their_offsets_enum_values_and_vietnamese_text():
    text = as_json([{"at": datetime(2026, 1, 5, 9, 30, tzinfo=VN_TZ), "day": date(2026, 1, 5),
                     "status": Status.IN_PROGRESS, "name": "Phạm Thị Công Dân", "fee": None}])
    assert "Phạm Thị Công Dân" in text  # not \u-escaped
    assert json.loads(text) == [{"at": "2026-01-05T09:30:00+07:00", "day": "2026-01-05",
                                 "status": "in_progress", "name": "Phạm Thị Công Dân",
                                 "fee": None}]


def test_a_compiled_statement_carries_its_literal_values():
    query = repositories._NEXT_SEQUENCE.query
    assert query.literals == {"last": 1, "last_1": 1}
    assert set(query.statement.names) == {"unit_code", "day", "last", "last_1"}
    assert repositories._NEXT_SEQUENCE.writes and not repositories._UNIT_BY_CODE.writes
