"""Named personas and factories for domain tests (no I/O)."""

from __future__ import annotations

from motcua.domain.calendar import Deadline
from motcua.domain.dossiers import Actor, Dossier
from motcua.domain.identity import Applicant
from motcua.domain.procedures import Channel, PlannedStep, Procedure

COMMUNE, DEPARTMENT = 1, 2
DESK_OFFICER = Actor(10, "Nguyễn Thị Tiếp Nhận")  # reception officer at the commune
SPECIALIST = Actor(11, "Trần Văn Chuyên Viên")
HEAD = Actor(12, "Lê Văn Trưởng Phòng")  # department head
CITIZEN = Applicant.create("person", "066190001234", "Phạm Thị Công Dân", birth_year=1990,
                           phone="0912345678")


def birth_registration(days: float = 3, hours_per_step=(4, 12, 8), **kw) -> Procedure:
    steps = [PlannedStep(f"Bước {i}", int(h * 3600)) for i, h in enumerate(hours_per_step, 1)]
    return Procedure(code="1.001193", name="Đăng ký khai sinh", deadline=Deadline(days, **kw),
                     steps=steps, channels=list(Channel), id=1)


def received(cal, at, procedure=None, channel="desk") -> Dossier:
    procedure = procedure or birth_registration()
    units = [COMMUNE] * (len(procedure.steps) - 1) + [DEPARTMENT]
    return Dossier.receive(code="24175-260105-0001", province_code=66, procedure=procedure,
                           unit_id=COMMUNE, step_unit_ids=units, channel=channel,
                           applicant=CITIZEN, received_at=at, cal=cal, actor=DESK_OFFICER,
                           filed_by_id=DESK_OFFICER.id)
