"""The SQL the PostgreSQL save path sends (its behaviour is tested on PostgreSQL in CI)."""

from __future__ import annotations

from motcua.storage import dossier_mapper
from motcua.storage.dossier_pg import Statement


def test_named_placeholders_become_numbered_once_each():
    statement = Statement("SELECT %(a)s, %(b)s, %(a)s WHERE name LIKE 'x%%'")
    assert statement.sql == "SELECT $1, $2, $1 WHERE name LIKE 'x%'"
    assert statement.names == ("a", "b")


def test_a_save_statement_carries_only_the_parts_it_has_rows_for():
    save = dossier_mapper._PG_SAVE
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
