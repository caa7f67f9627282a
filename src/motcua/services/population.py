"""The population database's look-up at the desk's receipt (Decision 766, 6.6 and 6.7).

The applicant's ID number, name and year of birth are checked against the national
population database; a match fills an empty address from it. A mismatch, an unknown
number or an unavailable database never blocks the desk: the officer checks the paper
ID and says so ("Đã kiểm tra giấy tờ tùy thân bản gốc"), and the dossier is received.
Every look-up is recorded on the dossier, in the receipt's transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from motcua.channels.population import (
    MATCH,
    MISMATCH,
    UNAVAILABLE,
    UNKNOWN,
    PopulationClient,
    Verdict,
)
from motcua.domain.errors import ValidationError
from motcua.domain.units import Official
from motcua.services.context import Context

LABELS = {MATCH: "Khớp với Cơ sở dữ liệu quốc gia về dân cư",
          MISMATCH: "Họ tên hoặc năm sinh không khớp Cơ sở dữ liệu quốc gia về dân cư",
          UNKNOWN: "Không có số định danh này trong Cơ sở dữ liệu quốc gia về dân cư",
          UNAVAILABLE: "Không tra cứu được Cơ sở dữ liệu quốc gia về dân cư"}


def check_at_receipt(ctx: Context, applicant: dict, paper_checked: bool) -> Verdict | None:
    """The look-up's verdict for a person's receipt (``None``: not connected, or not a
    person with an ID number); refused only while the officer has not checked the paper
    ID after a look-up that did not confirm the person."""
    client = PopulationClient.from_settings(ctx.settings)
    if client is None or applicant.get("kind", "person") != "person" \
            or not applicant.get("id_number"):
        return None
    verdict = client.verify(str(applicant["id_number"]).strip(),
                            str(applicant.get("name") or ""), applicant.get("birth_year"))
    if verdict.result != MATCH and not paper_checked:
        raise ValidationError(f"{LABELS[verdict.result]}. Kiểm tra giấy tờ tùy thân bản gốc "
                              "của người nộp, rồi đánh dấu “Đã kiểm tra giấy tờ tùy thân bản "
                              "gốc” để tiếp nhận.", field="kiem_tra_giay_to")
    return verdict


def recorder(ctx: Context, verdict: Verdict | None, *, address_filled: bool,
             paper_checked: bool, official: Official | None) -> Callable:
    """What ``receive_dossier`` records with the dossier: the look-up, if there was one."""
    def record(uow, dossier) -> None:
        if verdict is None:
            return
        uow.accounts.add_population_check({
            "dossier_code": dossier.code, "result": verdict.result,
            "address_filled": address_filled, "paper_checked": paper_checked,
            "checked_by_name": official.full_name if official else "", "at": ctx.clock.now()})
    return record


def checks(ctx: Context, code: str) -> list:
    with ctx.uow() as uow:
        return uow.accounts.population_checks(code)
