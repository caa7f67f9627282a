"""Named personas and catalog entries shared by integration and end-to-end tests."""

from __future__ import annotations

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
