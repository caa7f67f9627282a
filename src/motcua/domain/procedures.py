"""Procedures (thủ tục hành chính) and their step plans (quy trình nội bộ).

A procedure version is immutable once a dossier has been received under it: a
change makes a new version, and each dossier pins the version it was received
under (see STYLE.md "Time").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import time

from motcua.domain.calendar import CountingMode, Deadline, DeadlineUnit
from motcua.domain.errors import InvalidProcedure


class Channel(enum.StrEnum):
    """How a dossier reaches the agency. ``assisted``: filed by an official on someone's behalf."""

    DESK = "desk"
    ONLINE = "online"
    POSTAL = "postal"
    ASSISTED = "assisted"

    @property
    def national_code(self) -> int:
        """Channel code in national data: 1 direct, 2 online, 3 postal.

        Assisted submission is an online filing made by the desk for the
        applicant, so it is reported as online (product decision).
        """
        return {"desk": 1, "online": 2, "assisted": 2, "postal": 3}[self.value]

    @property
    def label(self) -> str:
        return {
            "desk": "Trực tiếp",
            "online": "Trực tuyến",
            "postal": "Bưu chính công ích",
            "assisted": "Nộp hộ (hỗ trợ trực tuyến)",
        }[self.value]


class Level(enum.StrEnum):
    PROVINCE = "province"
    COMMUNE = "commune"
    CENTRAL = "central"


@dataclass(frozen=True)
class PlannedStep:
    """One step of a procedure's plan: who holds it and its working-time allocation.

    ``unit_code`` names the unit for an inter-agency step; when empty the step
    is held by the receiving unit, by officials with ``role``.
    """

    name: str
    allocated_seconds: int
    unit_code: str = ""
    role: str = "specialist"

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit_code,
            "role": self.role,
            "working_hours": self.allocated_seconds / 3600,
        }


@dataclass(frozen=True)
class RequiredDocument:
    name: str
    copies: str = ""
    form: str = ""

    @property
    def shown_only(self) -> bool:
        """Presented at the desk ("xuất trình"), not filed: no upload is asked for."""
        return "xuất trình" in self.name.lower()

    @property
    def conditional(self) -> bool:
        """Needed only in a case the text names ("(nếu …)", "(trường hợp …)")."""
        return bool(re.search(r"\((nếu|trường hợp)\b", self.name, re.IGNORECASE))

    @property
    def required(self) -> bool:
        """Every filing must carry it: neither conditional nor only shown."""
        return not self.shown_only and not self.conditional

    def as_dict(self) -> dict:
        return {"name": self.name, "copies": self.copies, "form": self.form}


@dataclass
class Procedure:
    """A version of a procedure."""

    code: str
    name: str
    deadline: Deadline
    steps: list[PlannedStep]
    field: str = ""
    level: Level = Level.COMMUNE
    unit_code: str = ""
    fee: str = ""
    fee_amount: int = 0
    documents: list[RequiredDocument] = dc_field(default_factory=list)
    result_type: str = ""
    online_level: str = ""
    channels: list[Channel] = dc_field(default_factory=lambda: [Channel.DESK, Channel.ONLINE])
    legal_basis: str = ""
    # Decree 118/2025 art. 19(5): a supplement is asked within 3 working days of receipt
    # "unless sector law says otherwise"; a procedure whose law sets another window says so.
    supplement_window_days: int = 3
    # the lowest e-ID assurance level (VNeID: 1 or 2) with which a citizen may file this
    # procedure online; 0: no sign-in required
    min_assurance_level: int = 0
    # the result may be issued and returned electronically (a signed PDF the applicant
    # downloads) when the applicant chooses so
    electronic_result: bool = False
    version: int = 1
    id: int | None = None

    COMMUNE_KINDS = frozenset({"commune", "ward"})

    def filed_at(self, unit_code: str, unit_kind: str) -> bool:
        """Whether an online filing of this procedure may go to that unit: the unit the
        procedure names, else a unit of its level (a commune-level procedure at a commune
        or ward, a provincial one at the province's centre, its departments, branches)."""
        if self.unit_code:
            return unit_code == self.unit_code
        return (unit_kind in self.COMMUNE_KINDS) == (self.level is Level.COMMUNE)

    def validate(self, seconds_per_day: int) -> None:
        if not self.code.strip() or not self.name.strip():
            raise InvalidProcedure("Thủ tục phải có mã và tên.")
        if not self.steps:
            raise InvalidProcedure(f"Thủ tục {self.code} phải có ít nhất một bước xử lý.")
        for step in self.steps:
            if step.allocated_seconds <= 0:
                raise InvalidProcedure(
                    f"Bước “{step.name}” của thủ tục {self.code} phải có thời gian xử lý dương."
                )
        total = sum(s.allocated_seconds for s in self.steps)
        limit = self.allocation_limit(seconds_per_day)
        if total > limit:
            raise InvalidProcedure(
                f"Tổng thời gian các bước của thủ tục {self.code} ({total / 3600:g} giờ) "
                f"vượt thời hạn giải quyết ({limit / 3600:g} giờ làm việc).",
            )

    def allocation_limit(self, seconds_per_day: int) -> int:
        """Working time the step plan may use.

        Fixed in ``hours`` mode; for ``end-of-day`` the guaranteed minimum is N
        full days; for calendar days the working days always inside N calendar
        days (5 in every 7, rounded down); a same-day procedure gets one day.
        """
        d = self.deadline
        fixed = d.working_seconds(seconds_per_day)
        if d.amount == 0:
            return seconds_per_day
        if fixed is not None:
            return fixed
        if d.unit is DeadlineUnit.WORKING_DAYS:
            return int(d.amount) * seconds_per_day
        return (int(d.amount) * 5 // 7) * seconds_per_day


def fee_amount_of(text: str) -> int:
    """The first amount in đồng a fee text states ("8.000 đồng" -> 8000); 0 when free."""
    if not text or text.lower().startswith("miễn"):
        return 0
    found = re.search(r"(\d{1,3}(?:\.\d{3})+|\d+) đồng", text)
    return int(found.group(1).replace(".", "")) if found else 0


def deadline_from_dict(data: dict) -> Deadline:
    """Parse the catalog form: ``{"working_days"|"working_hours"|"calendar_days": N, "mode", "cutoff"}``."""
    units = [u for u in DeadlineUnit if u.value in data]
    if len(units) != 1:
        raise InvalidProcedure(
            "Thời hạn phải có đúng một trong: working_days, working_hours, calendar_days."
        )
    unit = units[0]
    try:
        mode = CountingMode(data.get("mode", "hours"))
        cutoff = time.fromisoformat(data["cutoff"]) if data.get("cutoff") else None
        amount = float(data[unit.value])
    except (ValueError, TypeError) as exc:
        raise InvalidProcedure(f"Thời hạn không hợp lệ: {data!r}.") from exc
    return Deadline(amount, unit, mode, cutoff)


def deadline_to_dict(deadline: Deadline) -> dict:
    amount = deadline.amount
    out: dict = {deadline.unit.value: int(amount) if amount == int(amount) else amount}
    out["mode"] = deadline.mode.value
    if deadline.cutoff is not None:
        out["cutoff"] = deadline.cutoff.strftime("%H:%M")
    return out
