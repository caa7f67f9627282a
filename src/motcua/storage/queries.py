"""Read side: plain SQL for lists and pages, bypassing the domain model."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.domain.text import fold
from motcua.storage import tables as t

OPEN = ("in_progress", "awaiting_supplement")


def search_procedures(engine: Engine, province_code: int, q: str = "", limit: int = 100) -> list:
    c = t.procedures.c
    stmt = sa.select(c.code, c.name, c.field, c.level, c.deadline_amount, c.deadline_unit,
                     c.deadline_mode, c.cutoff, c.fee).where(
        c.province_code == province_code, c.current.is_(True))
    for word in fold(q).split():
        stmt = stmt.where(c.search_text.contains(word, autoescape=True))
    with engine.connect() as conn:
        return list(conn.execute(stmt.order_by(c.name).limit(limit)))


def inbox(engine: Engine, unit_ids: set[int], now: datetime, q: str = "", limit: int = 200):
    """Open dossiers whose current step is held by one of ``unit_ids``, most urgent first."""
    d, s, p = t.dossiers.c, t.dossier_steps.c, t.procedures.c
    stmt = (
        sa.select(d.code, d.applicant_name, d.applicant_id_number, d.status, d.due,
                  d.appointment, d.received_at, d.channel, p.name.label("procedure"),
                  s.name.label("step"), s.planned_deadline, d.effective_receipt,
                  d.appointment_at_receipt)
        .join(t.dossier_steps, sa.and_(s.dossier_id == d.id, s.seq == d.current_step))
        .join(t.procedures, p.id == d.procedure_id)
        .where(d.status.in_(OPEN), s.unit_id.in_(unit_ids or {-1}))
    )
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(d.code.ilike(like), d.applicant_name.ilike(like),
                                 d.applicant_id_number.like(like)))
    with engine.connect() as conn:
        return list(conn.execute(stmt.order_by(d.due).limit(limit)))

