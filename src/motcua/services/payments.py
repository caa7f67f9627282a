"""Paying a dossier's fee online, and counting it as paid only on the gateway's word.

The citizen starts from the tracking page (code and 4 digits): a payment row is written
(pending) and the browser goes to the gateway. The gateway's signed result comes back as
its IPN (server to server) and as the browser's return; either one, once verified,
records the payment on the dossier (``RecordPayment``, method ``online``: Decision 766's
"paid online") in the same transaction as the payment row, once. A result with a wrong
signature is refused ("97"), an unknown order ("01"), a wrong amount ("04"), one already
recorded — a replay — changes nothing ("02"). The worker asks the gateway (``querydr``)
about payments whose callback never came.

The desk records the other ways a fee is paid (``record_at_desk``: cash with the receipt
number, bank transfer with its reference, cash collected by the post on delivery, COD):
a payment row and the dossier's payment event in one transaction, never counted as paid
online. A head or signer pays a fee back (``refund``: a refused dossier, a double
payment) against one recorded payment, with the reason; the refund enters the dossier's
audit chain and the payment row.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from motcua.domain.calendar import VN_TZ
from motcua.domain.commands import RecordPayment, RefundPayment
from motcua.domain.errors import ConcurrentUpdate, IllegalTransition, NotFound, ValidationError
from motcua.domain.lifecycle import Actor
from motcua.domain.lifecycle import Status as DossierStatus
from motcua.domain.units import Official
from motcua.services import tracking
from motcua.services.context import Context
from motcua.services.dossiers import act

STATUS_LABELS = {"pending": "Chờ kết quả thanh toán", "paid": "Đã thanh toán",
                 "failed": "Không thành công", "refunded": "Đã hoàn tiền"}
GATEWAY = Actor(None, "Cổng thanh toán trực tuyến")
DESK_METHODS = {"cash": "Tiền mặt tại quầy (số biên lai)",
                "transfer": "Chuyển khoản (mã giao dịch ngân hàng)",
                "cod": "Thu hộ qua bưu chính (số vận đơn)"}
METHOD_LABELS = {"online": "Trực tuyến", "cash": "Tiền mặt", "transfer": "Chuyển khoản",
                 "cod": "Thu hộ qua bưu chính"}


class AlreadyRecorded(Exception):
    pass


def start(ctx: Context, gateway, code: str, last4: str, client: str) -> str:
    """The gateway's payment URL for the dossier's fee, for whoever knows its code and the
    4 digits; a pending payment is written first."""
    view = tracking.track(ctx, code, last4, client)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(view.code, corrections=False)
        if not dossier.fee_amount:
            raise ValidationError("Thủ tục này không thu phí, lệ phí.")
        if dossier.paid_online or any(p.status == "paid"
                                      for p in uow.payments.of_dossier(dossier.code)):
            raise ValidationError("Phí, lệ phí của hồ sơ này đã được thanh toán.")
        if dossier.status in (DossierStatus.REFUSED, DossierStatus.WITHDRAWN,
                              DossierStatus.CLOSED, DossierStatus.STOPPED):
            raise IllegalTransition("Hồ sơ đã kết thúc; không thanh toán.")
        reference = f"{dossier.code}.{secrets.token_hex(3)}"
        uow.payments.add({"reference": reference, "dossier_code": dossier.code,
                          "amount": dossier.fee_amount,
                          "purpose": f"Phí, lệ phí: {dossier.procedure.name}"[:255],
                          "method": "online", "status": "pending", "created_at": now})
        uow.commit()
    return gateway.payment_url(reference=reference, amount=dossier.fee_amount,
                               info=f"Thanh toan phi ho so {dossier.code}",
                               return_url=f"{ctx.settings.public_url}/thanh-toan/ket-qua",
                               client_ip=client, at=now)


@dataclass(frozen=True)
class Outcome:
    code: str  # the gateway's answer code: 00, 01, 02, 04, 97
    message: str
    payment: Any = None


def result(ctx: Context, gateway, params: dict[str, str], source: str) -> Outcome:
    """Apply the gateway's signed result (its IPN, the browser's return, or its answer
    to a query), once."""
    if not gateway.verify(params):
        return Outcome("97", "Invalid signature")
    reference = str(params.get("vnp_TxnRef", ""))
    with ctx.uow() as uow:
        row = uow.payments.by_reference(reference)
    if row is None:
        return Outcome("01", "Order not found")
    try:
        amount = int(str(params.get("vnp_Amount", "0"))) // 100
    except ValueError:
        amount = -1
    if amount != row.amount:
        return Outcome("04", "Invalid amount", row)
    paid = params.get("vnp_ResponseCode") == "00" and \
        params.get("vnp_TransactionStatus") == "00"
    now = ctx.clock.now()
    answer = {k: str(v) for k, v in params.items() if k != "vnp_SecureHash"} | {"nguon": source}
    values = {"status": "paid" if paid else "failed", "paid_at": now if paid else None,
              "gateway_reference": str(params.get("vnp_TransactionNo", ""))[:60],
              "callbacks": row.callbacks + 1, "last_answer": answer}

    def still_pending(uow, dossier, command) -> None:
        current = uow.payments.by_reference(reference, lock=True)
        if current.status != "pending":
            raise AlreadyRecorded()

    def record(uow, dossier) -> None:
        uow.payments.update(row.id, **values)

    try:
        if paid:
            act(ctx, row.dossier_code, RecordPayment(row.amount, "online",
                                                     values["gateway_reference"] or reference),
                actor=GATEWAY, check=still_pending, then=record)
        else:
            with ctx.uow() as uow:
                still_pending(uow, None, None)
                record(uow, None)
                uow.commit()
    except (AlreadyRecorded, ConcurrentUpdate):
        with ctx.uow() as uow:
            uow.payments.update(row.id, callbacks=row.callbacks + 1)
            uow.commit()
        return Outcome("02", "Order already confirmed", row)
    with ctx.uow() as uow:
        return Outcome("00", "Confirm Success", uow.payments.by_reference(reference))


def _paid(rows) -> bool:
    return any(p.status == "paid" for p in rows)


def record_at_desk(ctx: Context, code: str, official: Official, method: str,
                   reference: str) -> str:
    """The fee paid in cash, by transfer or collected by the post, recorded by the desk of
    the receiving unit: a payment row (paid) and the dossier's payment event, together.
    Answers the payment's reference."""
    reference = (reference or "").strip()
    if method not in DESK_METHODS:
        raise ValidationError("Chọn hình thức: tiền mặt, chuyển khoản hoặc thu hộ qua bưu "
                              "chính.", field="method")
    if not reference:
        raise ValidationError("Nhập số biên lai, mã giao dịch hoặc số vận đơn.",
                              field="reference")
    now = ctx.clock.now()
    ours = f"{code.strip().upper()}.{method}.{secrets.token_hex(3)}"

    def not_paid_yet(uow, dossier, command) -> None:
        if not dossier.fee_amount:
            raise ValidationError("Thủ tục này không thu phí, lệ phí.")
        if dossier.paid_online or _paid(uow.payments.of_dossier(dossier.code)):
            raise ValidationError("Phí, lệ phí của hồ sơ này đã được ghi nhận thanh toán.")

    def record(uow, dossier) -> None:
        uow.payments.add({"reference": ours, "dossier_code": dossier.code,
                          "amount": dossier.fee_amount,
                          "purpose": f"Phí, lệ phí: {dossier.procedure.name}"[:255],
                          "method": method, "status": "paid", "created_at": now,
                          "paid_at": now, "gateway_reference": reference[:60],
                          "recorded_by": official.full_name[:255]})

    with ctx.uow() as uow:
        amount = uow.dossiers.get(code, corrections=False).fee_amount
    act(ctx, code, RecordPayment(amount, method, reference), official, check=not_paid_yet,
        then=record)
    return ours


def refund(ctx: Context, code: str, reference: str, official: Official, reason: str) -> None:
    """Pay back one recorded payment of the dossier (heads and signers of the receiving
    unit), with the reason; once."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = uow.payments.by_reference((reference or "").strip())
    if row is None or row.dossier_code != code.strip().upper():
        raise NotFound("Không có khoản thanh toán này trong hồ sơ.")

    def still_paid(uow, dossier, command) -> None:
        current = uow.payments.by_reference(row.reference, lock=True)
        if current.status != "paid":
            raise ValidationError("Chỉ hoàn được khoản đã thanh toán, chưa hoàn.")

    def record(uow, dossier) -> None:
        uow.payments.update(row.id, status="refunded", refunded_at=now,
                            refunded_by=official.full_name[:255],
                            refund_reason=(reason or "").strip()[:2000])

    act(ctx, code, RefundPayment(row.reference, row.amount, reason), official,
        check=still_paid, then=record)


def reconcile(ctx: Context, gateway) -> dict[str, int]:
    """Ask the gateway about payments still pending after the wait; apply its answers."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        waiting = uow.payments.waiting(now - timedelta(minutes=ctx.settings.payment_wait_minutes))
    counts = {"paid": 0, "failed": 0, "unknown": 0}
    for row in waiting:
        answer = gateway.query(reference=row.reference, created_at=row.created_at, at=now)
        status = answer.get("vnp_TransactionStatus", "")
        if answer.get("vnp_ResponseCode") == "00" and status in ("00", "02"):
            params = {k: str(answer.get(k, "")) for k in (
                "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionStatus")}
            params["vnp_ResponseCode"] = "00" if status == "00" else "24"
            outcome = _apply_verified(ctx, gateway, params)
            counts["paid" if outcome.code == "00" and status == "00" else "failed"] += 1
        elif now - row.created_at > timedelta(days=1):
            with ctx.uow() as uow:
                uow.payments.update(row.id, status="failed", last_answer={
                    "nguon": "query", **{k: str(v) for k, v in answer.items()}})
                uow.commit()
            counts["failed"] += 1
        else:
            counts["unknown"] += 1
    return counts


def _apply_verified(ctx: Context, gateway, params: dict[str, str]) -> Outcome:
    """The query's answer was verified by its own signature: applied as a signed result."""
    return result(ctx, gateway, gateway.signed(params), "query")


@dataclass(frozen=True)
class PaymentView:
    reference: str
    dossier_code: str
    amount: int
    purpose: str
    status: str
    status_label: str
    gateway_reference: str
    paid_at: Any
    applicant_name: str
    procedure: str
    unit_name: str


def view(ctx: Context, reference: str) -> PaymentView:
    with ctx.uow() as uow:
        row = uow.payments.by_reference(reference)
        if row is None:
            raise NotFound("Không có giao dịch thanh toán này.")
        dossier = uow.dossiers.get(row.dossier_code, corrections=False)
        unit = uow.units.by_id(dossier.unit_id).name
    return PaymentView(row.reference, row.dossier_code, row.amount, row.purpose, row.status,
                       STATUS_LABELS.get(row.status, row.status), row.gateway_reference,
                       row.paid_at.astimezone(VN_TZ) if row.paid_at else None,
                       dossier.applicant_name, dossier.procedure.name, unit)


def of_dossier(ctx: Context, code: str) -> list:
    with ctx.uow() as uow:
        return uow.payments.of_dossier(code)


@dataclass(frozen=True)
class FeeState:
    amount: int
    paid: bool
    payable: bool  # online, now: a gateway is connected and the dossier is still live
    payments: list


def fee_state(ctx: Context, code: str) -> FeeState:
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=False)
        rows = uow.payments.of_dossier(code)
    paid = dossier.paid_online or any(p.status == "paid" for p in rows)
    live = dossier.status not in (DossierStatus.REFUSED, DossierStatus.WITHDRAWN,
                                  DossierStatus.CLOSED, DossierStatus.STOPPED)
    return FeeState(dossier.fee_amount, paid, bool(ctx.settings.payment_url) and live
                    and dossier.fee_amount > 0 and not paid, rows)
