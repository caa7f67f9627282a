"""Audit-chain verification over every dossier."""

from __future__ import annotations

from motcua.domain.audit import verify_chain
from motcua.services.context import Context


def verify_audit(ctx: Context) -> list[tuple[str, str]]:
    """Return (dossier code, what is wrong) for every broken chain; empty when all hold."""
    broken = []
    with ctx.uow() as uow:
        for dossier_id, code, head in uow.dossiers.all_heads():
            problem = verify_chain(code, uow.dossiers.events(dossier_id, code), head)
            if problem:
                broken.append((code, problem))
    return broken
