"""Who may perform which dossier action (role x unit scope).

A rule names the roles allowed and whose unit counts: the receiving unit
(``desk``), the unit holding the current step (``step``), or any unit the
dossier touches (``any``). Administrators manage units and procedures, not
dossiers, except the transfer caused by a unit merger.
"""

from __future__ import annotations

from motcua.domain.dossiers import Action, Dossier
from motcua.domain.errors import PermissionDenied
from motcua.domain.units import Official, Role

R = Role
RULES: dict[Action, tuple[frozenset[Role], str]] = {
    Action.RECEIVE: (frozenset({R.DESK}), "desk"),
    Action.ASSIGN: (frozenset({R.HEAD, R.SIGNER}), "step"),
    Action.COMPLETE_STEP: (frozenset({R.DESK, R.SPECIALIST, R.HEAD, R.SIGNER}), "step"),
    Action.SEND_BACK: (frozenset({R.SPECIALIST, R.HEAD, R.SIGNER}), "step"),
    Action.REQUEST_SUPPLEMENT: (frozenset({R.DESK, R.SPECIALIST, R.HEAD}), "step"),
    Action.SUPPLEMENT: (frozenset({R.DESK}), "desk"),
    Action.REFUSE: (frozenset({R.HEAD, R.SIGNER}), "step"),
    Action.STOP: (frozenset({R.HEAD, R.SIGNER}), "step"),
    Action.WITHDRAW: (frozenset({R.DESK}), "desk"),
    Action.EXTEND: (frozenset({R.HEAD, R.SIGNER}), "step"),
    Action.RETURN: (frozenset({R.DESK}), "desk"),
    Action.TRANSFER: (frozenset({R.ADMIN}), "any"),
    Action.REQUEST_CORRECTION: (frozenset({R.DESK, R.SPECIALIST, R.HEAD, R.SIGNER}), "any"),
    Action.APPROVE_CORRECTION: (frozenset({R.HEAD, R.SIGNER}), "any"),
    Action.REJECT_CORRECTION: (frozenset({R.HEAD, R.SIGNER}), "any"),
    Action.ATTACH: (frozenset({R.DESK, R.SPECIALIST, R.HEAD, R.SIGNER}), "any"),
    Action.RATE: (frozenset(), "desk"),  # only the applicant rates, through tracking
}


def scope_units(action: Action, dossier: Dossier) -> set[int]:
    scope = RULES[action][1]
    if scope == "desk":
        return {dossier.unit_id}
    if scope == "step":
        return {dossier.step.unit_id}
    return {dossier.unit_id, *(s.unit_id for s in dossier.steps)}


def may(official: Official, action: Action, dossier: Dossier) -> bool:
    roles, _ = RULES[action]
    units = scope_units(action, dossier)
    if action is Action.COMPLETE_STEP and dossier.step.assignee_id == official.id:
        return True
    return any(u in units and r in roles for u, r in official.roles)


def ensure_may(official: Official | None, action: Action, dossier: Dossier) -> None:
    """Raise ``PermissionDenied`` unless the official may act; ``None`` is the system."""
    if official is None or may(official, action, dossier):
        return
    raise PermissionDenied(
        f"Tài khoản {official.username} không có quyền thực hiện thao tác này trên hồ sơ "
        f"{dossier.code} (cần vai trò phù hợp tại đơn vị đang xử lý)."
    )


def may_view(official: Official, dossier: Dossier) -> bool:
    units = {dossier.unit_id, *(s.unit_id for s in dossier.steps)}
    return any(u in units for u, _ in official.roles)
