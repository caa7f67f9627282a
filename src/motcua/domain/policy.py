"""Who may perform which dossier action (role x unit scope), read from the transition table.

Each row of ``lifecycle.TRANSITIONS`` names the roles allowed and whose unit
counts: the receiving unit (``desk``), the unit holding the current step
(``step``), or any unit the dossier touches (``any``). Administrators manage
units and procedures, not dossiers, except the transfer caused by a unit merger.
"""

from __future__ import annotations

from motcua.domain.dossiers import Dossier
from motcua.domain.errors import PermissionDenied
from motcua.domain.lifecycle import Action, Scope, transition_for
from motcua.domain.units import Official, Role


def scope_units(action: Action, dossier: Dossier) -> set[int]:
    scope = transition_for(action).scope
    if scope is Scope.DESK:
        return {dossier.unit_id}
    if scope is Scope.STEP:
        return {dossier.step.unit_id}
    return {dossier.unit_id, *(s.unit_id for s in dossier.steps)}


def may(official: Official, action: Action, dossier: Dossier) -> bool:
    roles = transition_for(action).roles
    if action is Action.COMPLETE_STEP and dossier.step.assignee_id == official.id:
        return True
    units = scope_units(action, dossier)
    return any(u in units and r in roles for u, r in official.roles)


def ensure_may(official: Official | None, action: Action, dossier: Dossier) -> None:
    """Raise ``PermissionDenied`` unless the official may act; ``None`` is the system."""
    if official is None or may(official, action, dossier):
        return
    raise PermissionDenied(
        f"Tài khoản {official.username} không có quyền thực hiện thao tác này trên hồ sơ "
        f"{dossier.code} (cần vai trò phù hợp tại đơn vị đang xử lý)."
    )


def holds(official: Official, step) -> bool:
    """Whether the step is this official's to complete on a hand-over scan: assigned to
    them, or held by their role at their unit (a desk officer completes desk steps)."""
    if step.assignee_id is not None:
        return step.assignee_id == official.id
    return official.has_role(Role(step.role), step.unit_id)


def may_view(official: Official, dossier: Dossier) -> bool:
    units = {dossier.unit_id, *(s.unit_id for s in dossier.steps)}
    return any(u in units for u, _ in official.roles)
