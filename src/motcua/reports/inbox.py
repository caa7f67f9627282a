"""The officials' inbox: the dossiers to act on, most urgent first, with their urgency.

Urgency is the domain's (``timeliness.urgency``): overdue past ``due``; due soon with
less than the configured share of the allotted time left, or when today is the last
day for an apology and new appointment (Decree 118/2025 art. 19(6)) of a dossier not
yet extended.
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.domain.calendar import VN_TZ
from motcua.domain.dossiers import extension_deadline
from motcua.domain.lifecycle import Status
from motcua.domain.timeliness import Urgency, urgency
from motcua.domain.units import Official, Role
from motcua.storage import queries

VIEWS = {"": "Việc của tôi", "in_progress": "Đang xử lý", "awaiting_supplement": "Chờ bổ sung",
         "result_ready": "Chờ trả kết quả", "overdue": "Quá hạn", "soon": "Sắp đến hạn",
         "don_vi": "Cả đơn vị (lãnh đạo theo dõi)"}


PAGE_SIZE = 100


@dataclass(frozen=True)
class InboxRow:
    row: object  # the query's row: code, applicant, procedure, step, status, due, ...
    urgency: Urgency | None
    apology_today: bool


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox and how many there are in all: nothing in scope is hidden."""

    rows: list[InboxRow]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]  # overdue and due soon among the dossiers the search matches

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.page_size)


def inbox(ctx, official: Official, q: str = "", view: str = "", page: int = 1,
          page_size: int = PAGE_SIZE) -> InboxPage:
    """A page of the official's inbox, most urgent first, with the total; ``view`` narrows
    to a status, or to overdue / due soon."""
    everything = _rows(ctx, official, q, "don_vi" if view == "don_vi" else "")
    # the badges count everything in scope, whatever the filter shows
    counts = {u.value: sum(r.urgency is u for r in everything) for u in Urgency}
    if view in ("overdue", "soon"):
        rows = [r for r in everything if r.urgency is not None and r.urgency.value == view]
    elif view in ("in_progress", "awaiting_supplement", "result_ready"):
        rows = [r for r in everything if r.row.status == view]
    else:
        rows = everything
    page = max(1, page)
    start = (page - 1) * page_size
    return InboxPage(rows[start:start + page_size], len(rows), page, page_size, counts)


def _rows(ctx, official: Official, q: str, view: str) -> list[InboxRow]:
    now, cal = ctx.clock.now(), ctx.calendar
    today = now.astimezone(VN_TZ).date()
    held: dict[int, set[str]] = {}
    for unit, role in official.roles:
        if role is not Role.ADMIN:
            held.setdefault(unit, set()).add(role.value)
    whole = official.units_with(Role.HEAD, Role.SIGNER) if view == "don_vi" else None
    out = []
    for r in queries.inbox(ctx.engine, held, official.id, official.units_with(Role.DESK), q,
                           whole_unit=whole):
        state, apology_today = None, False
        if r.status == Status.IN_PROGRESS:
            allotted = cal.between(r.effective_receipt, r.appointment_at_receipt)
            state = urgency(now, r.due, allotted, cal, ctx.settings.due_soon_share)
            if not r.extended:
                until = extension_deadline(r.appointment, cal)
                apology_today = now <= until and until.astimezone(VN_TZ).date() == today
                if apology_today and state is None:
                    state = Urgency.DUE_SOON
        out.append(InboxRow(r, state, apology_today))
    return out
