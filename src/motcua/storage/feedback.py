"""Feedback and complaints (phản ánh, kiến nghị) and their answers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from motcua.domain.errors import ConcurrentUpdate, NotFound
from motcua.storage import tables as t

F = t.feedback


class FeedbackRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_numbered(self, prefix: str, row: dict) -> str:
        """The row under the day's next code (``prefix`` + 4 digits); two at the same
        instant: the later takes the number after."""
        for _ in range(5):
            taken = self.conn.execute(sa.select(sa.func.count()).where(
                F.c.code.like(f"{prefix}%"))).scalar_one()
            code = f"{prefix}{taken + 1:04d}"
            try:
                with self.conn.begin_nested():
                    self.conn.execute(sa.insert(F).values(code=code, **row))
                return code
            except IntegrityError:
                continue
        raise ConcurrentUpdate("Hệ thống đang bận; gửi lại sau ít phút.")

    def get(self, code: str):
        row = self.conn.execute(sa.select(F).where(F.c.code == code)).first()
        if row is None:
            raise NotFound(f"Không có phản ánh, kiến nghị mã {code}.")
        return row

    def update(self, code: str, **values) -> None:
        self.conn.execute(sa.update(F).where(F.c.code == code).values(**values))

    def of_units(self, unit_ids: Iterable[int], limit: int = 300) -> list:
        return list(self.conn.execute(sa.select(F).where(F.c.unit_id.in_(list(unit_ids)))
                                      .order_by(F.c.answered_at.is_not(None), F.c.answer_due)
                                      .limit(limit)))

    def unhappy(self, unit_ids: Iterable[int], limit: int = 100) -> list:
        """Dossiers of these units the applicant rated not satisfied, with what they said
        (the rating's audit event), latest first."""
        a, d = t.audit_events.c, t.dossiers.c
        return list(self.conn.execute(
            sa.select(d.code, d.unit_id, a.at, a.data).join(t.dossiers, d.id == a.dossier_id)
            .where(a.action == "rate", d.satisfaction <= 2, d.unit_id.in_(list(unit_ids)))
            .order_by(a.at.desc()).limit(limit)))

    def public(self, limit: int = 100) -> list:
        return list(self.conn.execute(sa.select(
            F.c.code, F.c.content, F.c.answer, F.c.answered_at, F.c.procedure_code,
            F.c.unit_id).where(F.c.public_consent.is_(True), F.c.answered_at.is_not(None))
            .order_by(F.c.answered_at.desc()).limit(limit)))

    def figures(self, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
        """Per unit: feedback answered in [start, end), answered by the deadline, rated,
        rated satisfied (Decision 766, 5.1 and 5.2)."""
        answered = sa.and_(F.c.answered_at >= start, F.c.answered_at < end)
        count = lambda cond: sa.func.sum(sa.case((cond, 1), else_=0))  # noqa: E731
        rows = self.conn.execute(sa.select(
            F.c.unit_id, count(answered).label("answered"),
            count(sa.and_(answered, F.c.answered_at <= F.c.answer_due)).label("on_time"),
            count(sa.and_(answered, F.c.satisfied.is_not(None))).label("rated"),
            count(sa.and_(answered, F.c.satisfied.is_(True))).label("satisfied"),
        ).group_by(F.c.unit_id))
        return {r.unit_id: {k: int(getattr(r, k) or 0)
                            for k in ("answered", "on_time", "rated", "satisfied")}
                for r in rows}
