"""Fee payments and the gateway's answers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from motcua.storage import dossier_pg
from motcua.storage import tables as t

P = t.payments


class PaymentRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, row: dict) -> None:
        self.conn.execute(sa.insert(P).values(**row))

    def by_reference(self, reference: str, *, lock: bool = False):
        query = sa.select(P).where(P.c.reference == reference)
        if lock and self.conn.dialect.name == "postgresql":
            dossier_pg.begin_now(self.conn)  # two callbacks at once: one waits for the other
            query = query.with_for_update()
        return self.conn.execute(query).first()

    def of_dossier(self, code: str) -> list:
        return list(self.conn.execute(sa.select(P).where(P.c.dossier_code == code)
                                      .order_by(P.c.id)))

    def update(self, payment_id: int, **values) -> None:
        self.conn.execute(sa.update(P).where(P.c.id == payment_id).values(**values))

    def waiting(self, before: datetime, limit: int = 100) -> list:
        return list(self.conn.execute(sa.select(P).where(
            P.c.status == "pending", P.c.created_at <= before).order_by(P.c.id).limit(limit)))
