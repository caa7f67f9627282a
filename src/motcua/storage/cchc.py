"""Storing the CCHC programme's rows; each section has a natural key, so importing an updated
spreadsheet again updates what was there instead of doubling it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from motcua.storage import tables as t

NATURAL_KEYS = {
    "tasks": (t.cchc_tasks, ("year", "agency", "title")),
    "findings": (t.cchc_findings, ("year", "inspecting_agency", "inspected_unit",
                                   "description")),
    "regulations": (t.cchc_regulations, ("document", "regulation")),
    "outreach": (t.cchc_outreach, ("year", "agency", "kind", "title")),
    "staffing": (t.cchc_staffing, ("year", "unit")),
}


class CchcRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _upsert(self, table: sa.Table, keys: tuple[str, ...], values: dict,
                now: datetime) -> tuple[int, bool]:
        found = self.conn.execute(sa.select(table.c.id).where(
            *[table.c[k] == values[k] for k in keys])).scalar()
        if found is None:
            stamp = {"created_at": now} if "created_at" in table.c else {}
            new_id = self.conn.execute(sa.insert(table).values(**values, **stamp)
                                       .returning(table.c.id)).scalar_one()
            return new_id, True
        self.conn.execute(sa.update(table).where(table.c.id == found).values(**values))
        return found, False

    def save_rows(self, section: str, rows: list[dict], now: datetime) -> int:
        """Store one section's rows (new ones added, known ones updated); how many were new."""
        if section == "meetings":
            return self._save_meetings(rows, now)
        table, keys = NATURAL_KEYS[section]
        return sum(self._upsert(table, keys, {k: v for k, v in values.items() if k in table.c},
                                now)[1] for values in rows)

    def _save_meetings(self, rows: list[dict], now: datetime) -> int:
        """Rows of meetings: a meeting point and/or a conclusion (a follow-up task) each."""
        added = 0
        m = t.cchc_meetings
        for r in rows:
            meeting_id, new = self._upsert(m, ("held_on", "title"), {
                "year": r["held_on"].year, "held_on": r["held_on"], "title": r["title"],
                "online": r["mode"] == "online", "presiding": r["presiding"],
                "agenda": r["agenda"] or "", "minutes": r["minutes"] or ""}, now)
            added += new
            if r["point"]:
                self._upsert(t.cchc_meeting_points, ("meeting_id", "name"), {
                    "meeting_id": meeting_id, "name": r["point"],
                    "presiding": r["point_presiding"] or "", "attendance": r["attendance"] or 0},
                    now)
            if r["conclusion"]:
                added += self._upsert(t.cchc_tasks, ("year", "agency", "title"), {
                    "year": r["held_on"].year, "agency": r["owner"], "agency_kind": "",
                    "title": r["conclusion"], "owner_unit": r["owner"],
                    "due_date": r["due_date"], "status": r["status"],
                    "done_date": r["done_date"], "meeting_id": meeting_id}, now)[1]
        return added
