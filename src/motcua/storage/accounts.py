"""Citizen accounts (signed in with an identity provider) and what they may see."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from motcua.domain.errors import NotFound
from motcua.storage import tables as t

A = t.citizen_accounts
D = t.dossiers


class AccountRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def link(self, *, provider: str, subject: str, values: dict, now: datetime) -> int:
        """The account of (provider, subject), made or brought up to date."""
        found = self.conn.execute(sa.select(A.c.id).where(
            A.c.provider == provider, A.c.subject == subject)).scalar()
        if found is not None:
            self.conn.execute(sa.update(A).where(A.c.id == found).values(
                **values, last_seen_at=now))
            return found
        return self.conn.execute(sa.insert(A).values(
            provider=provider, subject=subject, first_seen_at=now, last_seen_at=now,
            **values).returning(A.c.id)).scalar_one()

    def get(self, account_id: int):
        row = self.conn.execute(sa.select(A).where(A.c.id == account_id)).first()
        if row is None:
            raise NotFound("Phiên đăng nhập của công dân không còn; đăng nhập lại.")
        return row

    def dossiers_of(self, id_number: str, limit: int = 200) -> list:
        """The person's dossiers, newest first, with who filed them for the person (an
        official, for a dossier filed on their behalf)."""
        P, F = t.procedures.c, t.officials.c
        return list(self.conn.execute(
            sa.select(D.c.code, D.c.status, D.c.received_at, D.c.appointment, D.c.channel,
                      D.c.applicant_name, P.name.label("procedure"),
                      F.full_name.label("filed_by"))
            .join(t.procedures, P.id == D.c.procedure_id)
            .outerjoin(t.officials, F.id == D.c.filed_by_id)
            .where(D.c.applicant_id_number == id_number)
            .order_by(D.c.received_at.desc()).limit(limit)))

    def payments_of(self, codes: list[str]) -> list:
        Y = t.payments.c
        return list(self.conn.execute(sa.select(t.payments).where(Y.dossier_code.in_(codes))
                                      .order_by(Y.id.desc())))

    def notices_of(self, codes: list[str], limit: int = 100) -> list:
        """Messages sent to the person about these dossiers (never the cancelled or
        suppressed ones), newest first."""
        N = t.notification_outbox.c
        return list(self.conn.execute(
            sa.select(t.notification_outbox).where(
                N.dossier_code.in_(codes), N.recipient_kind == "citizen",
                N.status.not_in(["cancelled", "suppressed"]))
            .order_by(N.id.desc()).limit(limit)))

    # -- the population database's look-ups -----------------------------------------------

    def add_population_check(self, row: dict) -> None:
        self.conn.execute(sa.insert(t.population_checks).values(**row))

    def population_checks(self, code: str) -> list:
        c = t.population_checks.c
        return list(self.conn.execute(sa.select(t.population_checks)
                                      .where(c.dossier_code == code).order_by(c.id)))
