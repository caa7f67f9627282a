"""Shipments by post: the shipment rows, the carrier's events, hand-overs and reviews."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from motcua.domain.postal import WITH_POST
from motcua.storage import db
from motcua.storage import tables as t

P = t.postal_shipments
E = t.electronic_returns


class PostalRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, row: dict) -> int:
        return self.conn.execute(sa.insert(P).values(**row).returning(P.c.id)).scalar_one()

    def get(self, shipment_id: int):
        return self.conn.execute(sa.select(P).where(P.c.id == shipment_id)).first()

    def of_dossier(self, code: str, direction: str | None = None) -> list:
        query = sa.select(P).where(P.c.dossier_code == code)
        if direction is not None:
            query = query.where(P.c.direction == direction)
        return list(self.conn.execute(query.order_by(P.c.id)))

    def by_number(self, number: str):
        """The shipment with this tracking number, or this carrier order number (the
        dossier code of an outbound shipment)."""
        row = self.conn.execute(sa.select(P).where(P.c.tracking_number == number)).first()
        if row is None:
            row = self.conn.execute(sa.select(P).where(
                P.c.order_number == number, P.c.direction == "outbound")).first()
        return row

    def relink(self, old_code: str, new_code: str) -> None:
        """A filing's parcels follow it when it becomes a dossier (its new code)."""
        self.conn.execute(sa.update(P).where(P.c.dossier_code == old_code)
                          .values(dossier_code=new_code))

    def choose_electronic(self, code: str, at: datetime) -> None:
        self.conn.execute(sa.insert(E).values(dossier_code=code, chosen_at=at))

    def electronic(self, code: str):
        """The applicant's choice to receive the result electronically, if made."""
        return self.conn.execute(sa.select(E).where(E.c.dossier_code == code)).first()

    def returned_electronically(self, code: str, at: datetime) -> None:
        self.conn.execute(sa.update(E).where(E.c.dossier_code == code).values(returned_at=at))

    def returning_by_post(self, code: str) -> bool:
        """Whether the result of ``code`` is going back by post (not cancelled, not
        come back to the agency)."""
        return self.conn.execute(sa.select(P.c.id).where(
            P.c.dossier_code == code, P.c.direction == "outbound",
            P.c.status.not_in(["cancelled", "returned_to_agency"]))).first() is not None

    def locked(self, shipment_id: int):
        """The shipment, locked on PostgreSQL until this transaction ends (a webhook and the
        polling job may bring the same event at once)."""
        query = sa.select(P).where(P.c.id == shipment_id)
        if self.conn.dialect.name == "postgresql":
            from motcua.storage import dossier_pg

            dossier_pg.begin_now(self.conn)
            query = query.with_for_update()
        return self.conn.execute(query).first()

    def update(self, shipment_id: int, now: datetime, **values) -> None:
        self.conn.execute(sa.update(P).where(P.c.id == shipment_id).values(updated_at=now,
                                                                           **values))

    def with_post(self, units: list[int] | None = None, labelled: bool = False) -> list:
        """Parcels the post holds (``labelled``: and those with a label, which the
        postman may have picked up before the desk recorded it)."""
        statuses = [s.value for s in WITH_POST] + (["label_created"] if labelled else [])
        query = sa.select(P).where(P.c.status.in_(statuses))
        if units is not None:
            query = query.where(P.c.unit_id.in_(units))
        return list(self.conn.execute(query.order_by(P.c.id)))

    def for_units(self, units: list[int], limit: int = 500) -> list:
        return list(self.conn.execute(sa.select(P).where(P.c.unit_id.in_(units))
                                      .order_by(P.c.id.desc()).limit(limit)))

    # -- events -----------------------------------------------------------------------------

    def seen(self, shipment_id: int, key: str) -> bool:
        E = t.postal_events
        return self.conn.execute(sa.select(E.c.id).where(
            E.c.shipment_id == shipment_id, E.c.event_key == key)).first() is not None

    def add_event(self, row: dict) -> bool:
        """Keep a carrier's event once (per shipment and key); False if already kept."""
        E = t.postal_events
        return self.conn.execute(db.insert_for(self.conn.dialect.name)(E).values(**row)
                                 .on_conflict_do_nothing().returning(E.c.id)).first() is not None

    def events(self, shipment_id: int) -> list:
        E = t.postal_events
        return list(self.conn.execute(sa.select(E).where(E.c.shipment_id == shipment_id)
                                      .order_by(E.c.at, E.c.id)))

    # -- hand-overs and reviews ---------------------------------------------------------------

    def add_handover(self, row: dict) -> None:
        self.conn.execute(sa.insert(t.postal_handovers).values(**row))

    def handovers(self, shipment_id: int) -> list:
        H = t.postal_handovers
        return list(self.conn.execute(sa.select(H).where(H.c.shipment_id == shipment_id)
                                      .order_by(H.c.at, H.c.id)))

    def add_review(self, row: dict) -> None:
        self.conn.execute(sa.insert(t.postal_reviews).values(**row))

    def reviews(self, units: list[int], open_only: bool = True) -> list:
        R = t.postal_reviews
        query = (sa.select(R, P.c.dossier_code, P.c.tracking_number)
                 .join(P, P.c.id == R.c.shipment_id).where(P.c.unit_id.in_(units)))
        if open_only:
            query = query.where(R.c.resolved_at.is_(None))
        return list(self.conn.execute(query.order_by(R.c.at.desc())))

    def resolve(self, review_id: int, units: list[int], by: str, note: str,
                now: datetime) -> int:
        R = t.postal_reviews
        mine = sa.select(P.c.id).where(P.c.unit_id.in_(units))
        return self.conn.execute(sa.update(R).where(
            R.c.id == review_id, R.c.resolved_at.is_(None), R.c.shipment_id.in_(mine)).values(
            resolved_at=now, resolved_by_name=by, resolution=note)).rowcount

    # -- reports --------------------------------------------------------------------------------

    def outcomes(self, start: datetime, end: datetime) -> list:
        """Outbound shipments created in [start, end): unit, status, failed attempts,
        handed-over and delivered times (the report of postal returns)."""
        E = t.postal_events
        handed = (sa.select(sa.func.min(E.c.at)).where(
            E.c.shipment_id == P.c.id, E.c.status == "handed_to_post").scalar_subquery())
        delivered = (sa.select(sa.func.min(E.c.at)).where(
            E.c.shipment_id == P.c.id, E.c.status == "delivered",
            E.c.outcome == "applied").scalar_subquery())
        return list(self.conn.execute(sa.select(
            P.c.unit_id, P.c.status, P.c.failed_attempts, P.c.lost_flagged_at,
            handed.label("handed_at"), delivered.label("delivered_at")).where(
            P.c.direction == "outbound", P.c.created_at >= start, P.c.created_at < end)))

    def returned_by_channel(self, start: datetime,
                            end: datetime) -> dict[int, tuple[int, int, int]]:
        """Per unit, dossiers returned in [start, end): (all, by post on proof,
        electronically)."""
        d = t.dossiers.c
        by_post = sa.exists().where(P.c.dossier_code == d.code, P.c.direction == "outbound",
                                    P.c.status == "delivered")
        online = sa.exists().where(E.c.dossier_code == d.code, E.c.returned_at.is_not(None))
        rows = self.conn.execute(sa.select(
            d.unit_id, sa.func.count(), sa.func.sum(sa.case((by_post, 1), else_=0)),
            sa.func.sum(sa.case((online, 1), else_=0))).where(
            d.returned_at >= start, d.returned_at < end).group_by(d.unit_id))
        return {u: (n, int(p or 0), int(e or 0)) for u, n, p, e in rows}
