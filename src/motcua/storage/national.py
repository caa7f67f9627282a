"""The national portal's side of the record: code maps, what the portal holds,
reconciliations, the national catalogue as fetched."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from motcua.domain.national import CodeMap, default_map
from motcua.storage import db
from motcua.storage import tables as t

M = t.national_code_maps
S = t.national_sync_state
R = t.sync_reconciliations
C = t.national_catalogue
D = t.dossiers


class NationalRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- the code map ----------------------------------------------------------------------

    def code_map(self, version: int | None = None) -> CodeMap:
        """A version of the map (the latest when ``None``); the built-in first version
        while nobody has changed it."""
        if version is None:
            version = self.conn.execute(sa.select(sa.func.max(M.c.version))).scalar()
            if version is None:
                return default_map()
        entries: dict[str, dict[str, str]] = {}
        for r in self.conn.execute(sa.select(M.c.kind, M.c.local, M.c.national)
                                   .where(M.c.version == version)):
            entries.setdefault(r.kind, {})[r.local] = r.national
        return CodeMap(version, entries) if entries else default_map()

    def add_map_version(self, entries: dict[str, dict[str, str]], labels: dict[str, str],
                        by: str, now: datetime) -> int:
        current = self.conn.execute(sa.select(sa.func.max(M.c.version))).scalar()
        if current is None:  # the built-in version is stored first, so history is whole
            self._insert(default_map().entries, 1, labels, "motcua (mặc định)", now)
            current = 1
        self._insert(entries, current + 1, labels, by, now)
        return current + 1

    def _insert(self, entries, version: int, labels: dict[str, str], by: str,
                now: datetime) -> None:
        self.conn.execute(sa.insert(M), [
            {"version": version, "kind": kind, "local": local, "national": code,
             "label": labels.get(kind, ""), "created_by_name": by, "created_at": now}
            for kind, codes in entries.items() for local, code in codes.items()])

    def map_history(self) -> list:
        return list(self.conn.execute(
            sa.select(M.c.version, sa.func.min(M.c.created_at).label("at"),
                      sa.func.min(M.c.created_by_name).label("by"))
            .group_by(M.c.version).order_by(M.c.version.desc())))

    # -- what the portal holds -------------------------------------------------------------

    def state(self, code: str):
        return self.conn.execute(sa.select(S).where(S.c.dossier_code == code)).first()

    def record_sync(self, *, code: str, unit_id: int, received_at: datetime, sha: str,
                    map_version: int, status: str, now: datetime) -> None:
        values = {"payload_sha": sha, "map_version": map_version, "national_status": status,
                  "last_synced_at": now, "unit_id": unit_id}
        done = self.conn.execute(sa.update(S).where(S.c.dossier_code == code)
                                 .values(**values)).rowcount
        if not done:
            self.conn.execute(sa.insert(S).values(dossier_code=code, received_at=received_at,
                                                  first_synced_at=now, **values))

    def synced_count(self) -> int:
        return self.conn.execute(sa.select(sa.func.count()).select_from(S)).scalar_one()

    # -- reconciliation --------------------------------------------------------------------

    def received_between(self, province_code: int, start: datetime,
                         end: datetime) -> Iterator:
        """(unit_id, procedure_id, status, received_at) of the dossiers received then."""
        yield from self.conn.execute(
            sa.select(D.c.unit_id, D.c.procedure_id, D.c.status, D.c.received_at).where(
                D.c.province_code == province_code, D.c.received_at >= start,
                D.c.received_at < end))

    def received_codes(self, province_code: int, start: datetime, end: datetime) -> list:
        return list(self.conn.execute(sa.select(D.c.code).where(
            D.c.province_code == province_code, D.c.received_at >= start,
            D.c.received_at < end).order_by(D.c.id)))

    def add_reconciliation(self, **values) -> int:
        return self.conn.execute(sa.insert(R).values(**values).returning(R.c.id)).scalar_one()

    def reconciliations(self, limit: int = 30) -> list:
        return list(self.conn.execute(sa.select(R).order_by(R.c.id.desc()).limit(limit)))

    # -- the national catalogue ------------------------------------------------------------

    def catalogue(self, codes: Iterable[str] | None = None) -> dict[str, object]:
        query = sa.select(C)
        if codes is not None:
            query = query.where(C.c.code.in_(list(codes)))
        return {r.code: r for r in self.conn.execute(query)}

    def field_code(self, procedure_code: str) -> str:
        return self.conn.execute(sa.select(C.c.field_code).where(
            C.c.code == procedure_code)).scalar() or ""

    def store_catalogue(self, rows: list[dict]) -> None:
        insert = db.insert_for(self.conn.dialect.name)
        for row in rows:
            statement = insert(C).values(**row)
            self.conn.execute(statement.on_conflict_do_update(
                index_elements=["code"],
                set_={k: statement.excluded[k] for k in row if k != "code"}))
