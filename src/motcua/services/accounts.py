"""Citizens' accounts: signed in with OpenID Connect, they see "Hồ sơ của tôi".

An account is linked by the provider's subject (``sub``), never by the ID number alone;
the ID number, name, contact and assurance level come from the provider's verified
claims through a configurable claim table (``MOTCUA_OIDC_CLAIMS``) and are checked
(the 12-digit personal ID number's province and century digits). A citizen's dossiers
are those whose applicant's ID number is the verified one: filed by them, at a desk, or
by an official on their behalf.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from motcua.domain.errors import ValidationError
from motcua.domain.identity import validate_personal_id
from motcua.domain.text import nfc
from motcua.services.context import Context

FIELDS = ("id_number", "name", "phone", "email", "level")


def claim_table(ctx: Context) -> dict[str, str]:
    try:
        table = json.loads(ctx.settings.oidc_claims)
    except ValueError as exc:
        raise ValidationError("MOTCUA_OIDC_CLAIMS không phải JSON hợp lệ.") from exc
    return {k: str(table.get(k, k)) for k in FIELDS}


def identity_from(ctx: Context, claims: dict[str, Any]) -> dict[str, str]:
    """The account's fields from the provider's claims, checked."""
    table = claim_table(ctx)
    values = {k: nfc(str(claims.get(table[k]) or "")).strip() for k in FIELDS}
    if not values["id_number"]:
        raise ValidationError("Nhà cung cấp định danh không cho biết số định danh cá nhân; "
                              "không đăng nhập được.")
    values["id_number"] = validate_personal_id(values["id_number"])
    if not values["name"]:
        raise ValidationError("Nhà cung cấp định danh không cho biết họ tên.")
    values["phone"], values["level"] = values["phone"][:20], values["level"][:16]
    return values


def sign_in(ctx: Context, subject: str, claims: dict[str, Any]) -> int:
    """The account id for this provider's subject, its identity brought up to date."""
    if not subject:
        raise ValidationError("Thiếu mã định danh người dùng (sub) của nhà cung cấp.")
    values = identity_from(ctx, claims)
    with ctx.uow() as uow:
        account = uow.accounts.link(provider=ctx.settings.oidc_provider_name,
                                    subject=subject[:255], values=values,
                                    now=ctx.clock.now())
        uow.commit()
    return account


def account(ctx: Context, account_id: int):
    """The signed-in citizen's account alone (a form filled in from it)."""
    with ctx.uow() as uow:
        return uow.accounts.get(account_id)


def filing_identity(ctx: Context, account_id: int | None, id_number: str) -> dict | None:
    """What a signed-in citizen's online filing records of who signed in (the provider,
    the assurance level, the account): only when they file under their own verified ID
    number, never for someone else."""
    if account_id is None:
        return None
    found = account(ctx, account_id)
    if found.id_number != (id_number or "").strip():
        return None
    return {"provider": found.provider, "level": found.level, "account_id": found.id,
            "id_number": found.id_number}


@dataclass(frozen=True)
class MyPage:
    account: Any
    dossiers: list
    documents: list
    payments: list = ()
    notices: list = ()


def my_page(ctx: Context, account_id: int) -> MyPage:
    """The signed-in citizen's dossiers (filed by them, at a desk, or for them), stored
    documents, payments and the messages sent to them."""
    with ctx.uow() as uow:
        account = uow.accounts.get(account_id)
        dossiers = uow.accounts.dossiers_of(account.id_number)
        documents = uow.digitisation.stored(account.id_number)
        codes = [d.code for d in dossiers]
        payments = uow.accounts.payments_of(codes) if codes else []
        notices = uow.accounts.notices_of(codes) if codes else []
    return MyPage(account, dossiers, documents, payments, notices)


def my_document(ctx: Context, account_id: int, document_id: int) -> tuple[str, bytes]:
    """A stored document of the signed-in citizen's own."""
    from motcua.domain.errors import NotFound

    with ctx.uow() as uow:
        account = uow.accounts.get(account_id)
        doc = uow.digitisation.stored_document(document_id)
    if doc.applicant_id_number != account.id_number:
        raise NotFound("Không có giấy tờ này trong kho dữ liệu của bạn.")
    return f"giay-to-{doc.id}.pdf", ctx.files.read(doc.sha256)
