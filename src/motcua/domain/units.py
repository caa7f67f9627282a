"""Units (cơ quan, đơn vị) and officials (cán bộ, công chức) with their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class UnitKind(enum.StrEnum):
    PROVINCE = "province"
    SERVICE_CENTRE = "service_centre"
    BRANCH = "branch"
    DEPARTMENT = "department"
    COMMUNE = "commune"
    WARD = "ward"
    DIVISION = "division"

    @property
    def label(self) -> str:
        return {
            "province": "Tỉnh/thành phố", "service_centre": "Trung tâm Phục vụ hành chính công",
            "branch": "Chi nhánh", "department": "Sở, ban, ngành", "commune": "Xã",
            "ward": "Phường", "division": "Phòng, bộ phận",
        }[self.value]


class Role(enum.StrEnum):
    DESK = "desk"
    SPECIALIST = "specialist"
    HEAD = "head"
    SIGNER = "signer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "desk": "Cán bộ tiếp nhận (một cửa)", "specialist": "Chuyên viên xử lý",
            "head": "Lãnh đạo phòng", "signer": "Lãnh đạo ký duyệt", "admin": "Quản trị hệ thống",
        }[self.value]


@dataclass(frozen=True)
class Unit:
    id: int
    province_code: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    successor_id: int | None = None
    place_name: str = ""
    agency_code: str | None = None  # national agency identifier (mã định danh cơ quan)

    def code_prefix(self, use_agency_code: bool) -> str:
        """What dossier codes of this unit start with (Decree 118/2025 art. 28(2))."""
        return self.agency_code if use_agency_code and self.agency_code else self.code

    def active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


@dataclass(frozen=True)
class Official:
    id: int
    username: str
    full_name: str
    roles: frozenset[tuple[int, Role]] = field(default_factory=frozenset)
    active: bool = True
    email: str = ""  # where reminders and escalations reach the official

    def has_role(self, role: Role, unit_id: int | None = None) -> bool:
        return any(r is role and (unit_id is None or u == unit_id) for u, r in self.roles)

    def units_with(self, *roles: Role) -> set[int]:
        return {u for u, r in self.roles if r in roles}
