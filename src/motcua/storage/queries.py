"""Read side: plain SQL for lists and pages, bypassing the domain model."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.domain.text import search_words
from motcua.storage import tables as t

OPEN = ("in_progress", "awaiting_supplement")


def search_procedures(engine: Engine, province_code: int, words: list[str],
                      limit: int = 5000) -> list:
    """Procedures in force whose folded code, name and field contain every word."""
    c = t.procedures.c
    stmt = sa.select(c.code, c.name, c.field, c.level, c.deadline_amount, c.deadline_unit,
                     c.deadline_mode, c.cutoff, c.fee, c.online_level, c.unit_code).where(
        c.province_code == province_code, c.current.is_(True))
    for word in words:
        stmt = stmt.where(c.search_text.contains(word, autoescape=True))
    with engine.connect() as conn:
        return list(conn.execute(stmt.limit(limit)))


def catalogue_words(engine: Engine, province_code: int) -> set[str]:
    """Every folded word of the procedures in force (the vocabulary typos are mended to)."""
    c = t.procedures.c
    with engine.connect() as conn:
        texts = conn.execute(sa.select(c.search_text).where(
            c.province_code == province_code, c.current.is_(True))).scalars()
        return {w for text in texts for w in text.split()}


def inbox(engine: Engine, held: dict[int, set[str]], official_id: int,
          desk_units: set[int], q: str = "", view: str = "", limit: int | None = None,
          whole_unit: set[int] | None = None):
    """The dossiers an official should act on, most urgent first.

    Open dossiers whose current step the official holds: assigned to them, or of a role
    they hold at the step's unit (``held``: unit id → roles); with ``whole_unit`` (a
    head's units), every open dossier whose current step is at one of those units. For
    desk officers also, at ``desk_units``, results waiting to be returned and dossiers
    waiting for a supplement. ``view`` narrows to one status.
    """
    d, s, p = t.dossiers.c, t.dossier_steps.c, t.procedures.c
    mine = [s.assignee_id == official_id]
    mine += [sa.and_(s.unit_id == unit, s.role.in_(sorted(roles)), s.assignee_id.is_(None))
             for unit, roles in held.items()]
    if whole_unit:
        mine.append(s.unit_id.in_(whole_unit))
    scope = sa.and_(d.status == "in_progress", sa.or_(*mine))
    if desk_units:
        scope = sa.or_(scope, sa.and_(
            d.status.in_(["awaiting_supplement", "result_ready"]),
            d.unit_id.in_(desk_units)))
    stmt = (
        sa.select(d.code, d.applicant_name, d.applicant_id_number, d.status, d.due,
                  d.appointment, d.received_at, d.channel, p.name.label("procedure"),
                  s.name.label("step"), s.seq.label("step_seq"), s.planned_deadline,
                  s.assignee_id, d.effective_receipt, d.appointment_at_receipt, d.extended)
        .join(t.dossier_steps, sa.and_(s.dossier_id == d.id, s.seq == d.current_step))
        .join(t.procedures, p.id == d.procedure_id)
        .where(scope)
    )
    if view in ("in_progress", "awaiting_supplement", "result_ready"):
        stmt = stmt.where(d.status == view)
    if q.strip():
        scans = t.digitised_components.c
        for word in search_words(q):  # in the dossier's fields, or in the text of its scans
            in_scan = sa.select(scans.dossier_code).where(
                scans.ocr_search.contains(word, autoescape=True))
            stmt = stmt.where(sa.or_(d.search_text.contains(word, autoescape=True),
                                     d.code.in_(in_scan)))
    with engine.connect() as conn:
        return list(conn.execute(stmt.order_by(d.due, d.code).limit(limit)))


def pending_corrections(engine: Engine, unit_ids: set[int]):
    """Time corrections waiting for a head's decision on dossiers touching ``unit_ids``."""
    d, c, s = t.dossiers.c, t.time_corrections.c, t.dossier_steps.c
    touching = sa.select(s.dossier_id).where(s.unit_id.in_(unit_ids or {-1}))
    a = t.audit_events.c
    # who asked, as the audit record names them (a request the system made has no official)
    actor = (sa.select(a.actor_name).where(a.dossier_id == d.id, a.action == "request_correction",
                                           a.at == c.requested_at)
             .order_by(a.seq.desc()).limit(1).scalar_subquery())
    stmt = (sa.select(d.code, d.applicant_name, c.seq, c.target, c.step_seq, c.old_value,
                      c.new_value, c.reason, c.evidence, c.requested_at, c.requested_by_id,
                      sa.func.coalesce(t.officials.c.full_name, actor, "").label("requested_by"))
            .join(t.time_corrections, c.dossier_id == d.id)
            .outerjoin(t.officials, t.officials.c.id == c.requested_by_id)
            .where(c.status == "pending",
                   sa.or_(d.unit_id.in_(unit_ids or {-1}), d.id.in_(touching)))
            .order_by(c.requested_at))
    with engine.connect() as conn:
        return list(conn.execute(stmt))


def desk_units(engine: Engine, province_code: int):
    """Units with at least one desk officer: where a citizen can file."""
    u, r = t.units.c, t.official_roles.c
    stmt = (sa.select(u.code, u.name, u.kind).distinct()
            .join(t.official_roles, r.unit_id == u.id)
            .where(r.role == "desk", u.province_code == province_code, u.valid_to.is_(None))
            .order_by(u.name))
    with engine.connect() as conn:
        return list(conn.execute(stmt))


def officials_of(engine: Engine, unit_id: int):
    """Officials holding any role in a unit (for assigning a step)."""
    o, r = t.officials.c, t.official_roles.c
    stmt = (sa.select(o.id, o.full_name, o.username).distinct()
            .join(t.official_roles, r.official_id == o.id)
            .where(r.unit_id == unit_id, o.active.is_(True)).order_by(o.full_name))
    with engine.connect() as conn:
        return list(conn.execute(stmt))
