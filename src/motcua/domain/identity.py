"""Applicant identity: the 12-digit personal ID number (số định danh cá nhân) and tax codes.

Personal ID structure (Decree 137/2015/NĐ-CP, Circular 07/2016/TT-BCA as amended by
Circular 59/2021/TT-BCA): 3 digits for the province where the birth was registered,
1 digit for century and gender, 2 digits for the year of birth, 6 random digits.
Tax codes: 10 digits with a check digit, 13 for a dependent unit (``NNNNNNNNNN-NNN``);
since 1 July 2025 individuals and household businesses use the personal ID number.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from motcua.domain.errors import InvalidIdentity

# Province codes of the 63 provinces that registered births before 1 July 2025;
# the 34 provinces after the merger kept codes from this list.
BIRTH_PROVINCE_CODES = frozenset(
    int(c)
    for c in (
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 "
        "033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 "
        "064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 "
        "094 095 096"
    ).split()
)
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


class ApplicantKind(enum.StrEnum):
    PERSON = "person"
    BUSINESS = "business"


def assurance_level(text: str) -> int:
    """The number in a provider's assurance level claim ("2", "Mức 2", "loa2"); 0 when
    it names none."""
    found = re.search(r"\d+", text or "")
    return int(found.group()) if found else 0


def last4_matches(digits: str, *numbers: str) -> bool:
    """Whether ``digits`` are the last 4 of one of ``numbers`` (an ID number, a phone):
    the public tracking look-up's check; an empty number never matches."""
    return len(digits) == 4 and any(n and n[-4:] == digits for n in numbers)


def century_digit(birth_year: int, female: bool) -> int:
    century = (birth_year // 100) - 19  # 1900s -> 0, 2000s -> 1, ...
    if not 0 <= century <= 4:
        raise InvalidIdentity(f"Năm sinh {birth_year} nằm ngoài phạm vi của số định danh.")
    return century * 2 + (1 if female else 0)


def validate_personal_id(number: str, birth_year: int | None = None) -> str:
    """Return the normalised number or raise ``InvalidIdentity`` saying what is wrong."""
    digits = number.strip().replace(" ", "")
    if not re.fullmatch(r"\d{12}", digits):
        raise InvalidIdentity("Số định danh cá nhân phải gồm đúng 12 chữ số.")
    province = int(digits[:3])
    if province not in BIRTH_PROVINCE_CODES:
        raise InvalidIdentity(
            f"Ba chữ số đầu ({digits[:3]}) không phải mã tỉnh nơi đăng ký khai sinh."
        )
    if birth_year is not None:
        code = int(digits[3])
        expected_century = 1900 + (code // 2) * 100
        if birth_year // 100 * 100 != expected_century:
            raise InvalidIdentity(
                f"Chữ số thứ tư ({code}) ứng với thế kỷ {expected_century // 100 + 1}, "
                f"không khớp năm sinh {birth_year}."
            )
        if int(digits[4:6]) != birth_year % 100:
            raise InvalidIdentity(
                f"Chữ số thứ năm và sáu ({digits[4:6]}) phải là hai số cuối năm sinh {birth_year}."
            )
    return digits


def validate_tax_code(code: str) -> str:
    text = code.strip().replace(" ", "")
    if re.fullmatch(r"\d{12}", text):
        return validate_personal_id(text)
    match = re.fullmatch(r"(\d{10})(-\d{3})?", text)
    if not match:
        raise InvalidIdentity("Mã số thuế phải có 10 chữ số, 10 chữ số kèm '-NNN', hoặc 12 chữ số.")
    digits = [int(c) for c in match.group(1)]
    check = 10 - sum(w * d for w, d in zip(_TAX_WEIGHTS, digits, strict=False)) % 11
    if check != digits[9]:
        raise InvalidIdentity("Mã số thuế sai chữ số kiểm tra.")
    return text


@dataclass(frozen=True)
class Applicant:
    """Who the dossier is for (người yêu cầu giải quyết TTHC)."""

    kind: ApplicantKind
    id_number: str
    name: str
    phone: str = ""
    birth_year: int | None = None
    address: str = ""
    email: str = ""

    @classmethod
    def create(cls, kind: str, id_number: str, name: str, **rest) -> Applicant:
        if kind not in {k.value for k in ApplicantKind}:
            raise InvalidIdentity(f"Loại người nộp “{kind}” không hợp lệ; chọn person (công dân) "
                                  "hoặc business (tổ chức, doanh nghiệp).")
        kind = ApplicantKind(kind)
        if not name or not name.strip():
            raise InvalidIdentity("Cần ghi họ tên (hoặc tên tổ chức) người nộp hồ sơ.")
        if kind is ApplicantKind.PERSON:
            id_number = validate_personal_id(id_number, rest.get("birth_year"))
        else:
            id_number = validate_tax_code(id_number)
        phone = (rest.get("phone") or "").strip()
        if phone and not re.fullmatch(r"\+?\d{9,12}", phone.replace(" ", "")):
            raise InvalidIdentity("Số điện thoại không hợp lệ.")
        rest["phone"] = phone.replace(" ", "")
        return cls(kind, id_number, " ".join(name.split()), **rest)
