from __future__ import annotations

import pytest

from motcua.bootstrap import build
from motcua.domain.clock import FixedClock
from motcua.services.officials import create_official
from motcua.services.procedures import procedure_from_dict, save_procedures
from motcua.services.units import create_unit
from motcua.settings import Settings
from tests.conftest import vn

BIRTH = {
    "code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "level": "commune",
    "deadline": {"working_days": 3, "mode": "hours"},
    "channels": ["desk", "online", "postal"],
    "documents": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"],
    "steps": [{"name": "Tiếp nhận, kiểm tra", "role": "desk", "working_hours": 4},
              {"name": "Thẩm định", "working_hours": 12},
              {"name": "Ký duyệt", "unit": "SO-TP", "role": "signer", "working_hours": 8}],
}
CITIZEN = {"kind": "person", "id_number": "066190001234", "name": "Phạm Thị Công Dân",
           "birth_year": 1990, "phone": "0912345678"}


@pytest.fixture
def app(database_url):
    clock = FixedClock(vn(2026, 1, 5, 9, 0))
    application = build(Settings(database_url=database_url, province_code=66), clock=clock)
    yield application
    application.close()


@pytest.fixture
def world(app):
    """A commune, a second commune, a department, their officials, one procedure."""
    create_unit(app, code="24175", name="Xã Hòa Phú", kind="commune")
    create_unit(app, code="24133", name="Phường Buôn Ma Thuột", kind="ward")
    create_unit(app, code="SO-TP", name="Sở Tư pháp", kind="department")
    save_procedures(app, [procedure_from_dict(BIRTH)])
    people = {}
    for username, roles in {
        "tiepnhan": [("24175", "desk")], "chuyenvien": [("24175", "specialist")],
        "truongphong": [("24175", "head")], "lanhdao": [("SO-TP", "signer")],
        "tiepnhan2": [("24133", "desk")],
    }.items():
        people[username] = create_official(app, username=username, full_name=username.title(),
                                           password="mat-khau-demo", roles=roles)
    return people
