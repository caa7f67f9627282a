"""Digitised components, the citizen's data store and the reuses of stored documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from motcua.domain.errors import NotFound
from motcua.storage import dossier_pg
from motcua.storage import tables as t

C = t.digitised_components
S = t.citizen_documents
R = t.document_reuses
D = t.dossiers


class DigitisationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- components ------------------------------------------------------------------------

    def add(self, row: dict) -> int:
        return self.conn.execute(sa.insert(C).values(**row).returning(C.c.id)).scalar_one()

    def get(self, component_id: int):
        row = self.conn.execute(sa.select(C).where(C.c.id == component_id)).first()
        if row is None:
            raise NotFound(f"Không có thành phần số hóa số {component_id}.")
        return row

    def of_dossier(self, code: str) -> list:
        return list(self.conn.execute(sa.select(C).where(C.c.dossier_code == code)
                                      .order_by(C.c.id)))

    def update(self, component_id: int, **values) -> None:
        self.conn.execute(sa.update(C).where(C.c.id == component_id).values(**values))

    def claim(self, now: datetime, lease_until: datetime, limit: int) -> list:
        """Components whose OCR is due, taken for this worker until ``lease_until`` (a
        stopped worker's are taken again after it): on PostgreSQL with ``FOR UPDATE SKIP
        LOCKED``, so two workers never read the same scan."""
        query = (sa.select(C.c.id).where(
            sa.or_(C.c.ocr_status == "queued", C.c.ocr_status == "running"),
            C.c.ocr_next_at <= now).order_by(C.c.id).limit(limit))
        if self.conn.dialect.name == "postgresql":
            dossier_pg.begin_now(self.conn)
            query = query.with_for_update(skip_locked=True)
        ids = list(self.conn.execute(query).scalars())
        if ids:
            self.conn.execute(sa.update(C).where(C.c.id.in_(ids)).values(
                ocr_status="running", ocr_next_at=lease_until,
                ocr_attempts=C.c.ocr_attempts + 1))
        return [self.get(i) for i in ids]

    def codes_with_words(self, words: Sequence[str], limit: int = 500) -> list[str]:
        """Dossiers with a scan whose recognised text holds every (folded) word."""
        if not words:
            return []
        query = sa.select(C.c.dossier_code).distinct().where(
            *(C.c.ocr_search.contains(w, autoescape=True) for w in words)).limit(limit)
        return list(self.conn.execute(query).scalars())

    def counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute(
            sa.select(C.c.ocr_status, sa.func.count()).group_by(C.c.ocr_status))}

    # -- the citizen's store ---------------------------------------------------------------

    def store(self, row: dict) -> int:
        return self.conn.execute(sa.insert(S).values(**row).returning(S.c.id)).scalar_one()

    def stored(self, id_number: str, today: date | None = None) -> list:
        query = sa.select(S).where(S.c.applicant_id_number == id_number)
        if today is not None:
            query = query.where(sa.or_(S.c.valid_to.is_(None), S.c.valid_to >= today))
        return list(self.conn.execute(query.order_by(S.c.id.desc())))

    def stored_document(self, document_id: int):
        row = self.conn.execute(sa.select(S).where(S.c.id == document_id)).first()
        if row is None:
            raise NotFound(f"Không có giấy tờ lưu trữ số {document_id}.")
        return row

    def stored_from(self, code: str) -> list:
        return list(self.conn.execute(sa.select(S).where(S.c.source_dossier_code == code)
                                      .order_by(S.c.id)))

    def add_reuse(self, row: dict) -> None:
        self.conn.execute(sa.insert(R).values(**row))

    def reuses(self, code: str) -> list:
        return list(self.conn.execute(sa.select(R).where(R.c.dossier_code == code)
                                      .order_by(R.c.id)))

    # -- Decision 766, group 6 -------------------------------------------------------------

    def figures(self, province_code: int, start: datetime, end: datetime,
                scope: Sequence[int] | None, by: str = "unit") -> dict[int, dict[str, int]]:
        """Per receiving unit (or procedure version: ``by="procedure"``), of the dossiers
        received in [start, end): with a component digitised the day of receipt, with a
        certified copy, components and reused ones, dossiers with something shared to the
        citizen's store."""
        where = [D.c.province_code == province_code, D.c.received_at >= start,
                 D.c.received_at < end]
        if scope is not None:
            where.append(D.c.unit_id.in_(list(scope)))
        key = D.c.procedure_id if by == "procedure" else D.c.unit_id
        received = sa.select(D.c.code, key.label("unit_id")).where(*where).subquery()
        out: dict[int, dict[str, int]] = {}

        def put(query, key: str) -> None:
            for unit_id, n in self.conn.execute(query):
                out.setdefault(unit_id, {})[key] = int(n or 0)

        join = received.join(C, C.c.dossier_code == received.c.code)
        put(sa.select(received.c.unit_id, sa.func.count(sa.distinct(received.c.code)))
            .select_from(join).where(C.c.same_day.is_(True)).group_by(received.c.unit_id),
            "same_day")
        put(sa.select(received.c.unit_id, sa.func.count(sa.distinct(received.c.code)))
            .select_from(join).where(C.c.certified_sha256.is_not(None))
            .group_by(received.c.unit_id), "certified")
        put(sa.select(received.c.unit_id, sa.func.count()).select_from(join)
            .group_by(received.c.unit_id), "components")
        put(sa.select(received.c.unit_id, sa.func.count()).select_from(join)
            .where(C.c.reused_from_id.is_not(None)).group_by(received.c.unit_id), "reused")
        put(sa.select(received.c.unit_id, sa.func.count(sa.distinct(received.c.code)))
            .select_from(join).group_by(received.c.unit_id), "with_components")
        checks = t.population_checks
        looked = received.join(checks, checks.c.dossier_code == received.c.code)
        put(sa.select(received.c.unit_id, sa.func.count(sa.distinct(received.c.code)))
            .select_from(looked).group_by(received.c.unit_id), "population_checked")
        put(sa.select(received.c.unit_id, sa.func.count(sa.distinct(received.c.code)))
            .select_from(looked).where(checks.c.result == "khop")
            .group_by(received.c.unit_id), "population_used")
        shared = received.join(S, S.c.source_dossier_code == received.c.code)
        put(sa.select(received.c.unit_id, sa.func.count(sa.distinct(received.c.code)))
            .select_from(shared).group_by(received.c.unit_id), "shared")
        return out
