from __future__ import annotations

import dataclasses

import pytest

from motcua.domain.audit import verify_chain
from motcua.domain.errors import InvalidIdentity
from motcua.domain.identity import Applicant, validate_personal_id, validate_tax_code
from motcua.domain.text import fold
from tests.conftest import vn
from tests.unit.factories import SPECIALIST, received


@pytest.mark.parametrize(("number", "year"), [("066190001234", 1990), ("001305012345", 2005),
                                              ("079088000001", 1988), ("096299999999", None)])
def test_valid_personal_ids(number, year):
    assert validate_personal_id(number, year) == number


@pytest.mark.parametrize(("number", "year", "fragment"), [
    ("06619000123", None, "12 chữ số"),
    ("06619000123a", None, "12 chữ số"),
    ("003190001234", None, "mã tỉnh"),
    ("066290001234", 1990, "thế kỷ"),
    ("066191001234", 1990, "hai số cuối"),
])
def test_invalid_personal_ids_say_what_is_wrong(number, year, fragment):
    with pytest.raises(InvalidIdentity, match=fragment):
        validate_personal_id(number, year)


def test_tax_codes_check_their_check_digit():
    assert validate_tax_code("0100109106") == "0100109106"
    assert validate_tax_code("0100109106-001") == "0100109106-001"
    with pytest.raises(InvalidIdentity):
        validate_tax_code("0100109107")


def test_business_applicants_use_a_tax_code():
    a = Applicant.create("business", "0101248141", "Công ty   TNHH  Một Cửa")
    assert a.name == "Công ty TNHH Một Cửa"


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH",
                                   "\u0111a\u0306ng ky\u0301 khai sinh"])
def test_search_folding_is_diacritic_and_case_insensitive(query):
    assert fold(query) in fold("Thủ tục Đăng ký khai sinh")


def _chain(cal):
    d = received(cal, vn(2026, 1, 5, 9))
    d.complete_step(at=vn(2026, 1, 5, 10), actor=SPECIALIST, cal=cal)
    d.complete_step(at=vn(2026, 1, 5, 11), actor=SPECIALIST, cal=cal)
    return d, list(d.pending_events)


def test_an_intact_chain_verifies(cal):
    d, events = _chain(cal)
    assert verify_chain(d.code, events, d.audit_head) is None


def test_edited_removed_or_reordered_events_break_the_chain(cal):
    d, events = _chain(cal)
    edited = [events[0], dataclasses.replace(events[1], actor_name="Người khác"), events[2]]
    assert "sửa" in verify_chain(d.code, edited, d.audit_head)
    assert verify_chain(d.code, [events[0], events[2]], d.audit_head) is not None
    assert verify_chain(d.code, [events[1], events[0], events[2]], d.audit_head) is not None
    assert "cuối" in verify_chain(d.code, events[:2], d.audit_head)
