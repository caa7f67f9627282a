"""Results returned by post (and dossiers arriving by post), tracked to proof of delivery.

The citizen chooses at filing to receive the result by post (``request_return``, in the
filing's transaction); when the result is ready the desk creates the carrier's order
and prints the label (``create_label``), hands the parcel to the postman against his
signature (``hand_over``); the carrier's events (``record``: its webhook, or the
worker's polling) move the shipment on. A delivery with the name of who received it is
the proof: the dossier is *returned* then, by the system, in the same transaction. After
``postal_max_attempts`` failed deliveries the citizen is told to collect the result at
the desk; a parcel without news for ``postal_lost_days`` is flagged lost. Events that
contradict the record (after a cancellation, after delivery, a delivery without a
receiver) are kept and put on the review list of the desk's unit.
"""

from __future__ import annotations

import base64
import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from motcua.domain.commands import ReturnResult
from motcua.domain.documents import Upload
from motcua.domain.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from motcua.domain.lifecycle import Actor
from motcua.domain.lifecycle import Status as DossierStatus
from motcua.domain.postal import (
    ID_TYPES,
    CarrierEvent,
    Direction,
    Outcome,
    Party,
    ShipmentStatus,
    checked_tracking_number,
    judge,
    masked_id,
    parse_contents,
)
from motcua.domain.text import nfc, vn_date_time, vn_number
from motcua.domain.units import Official, Role
from motcua.services import cache, events, notifications
from motcua.services import dossiers as uc
from motcua.services.context import Context

S = ShipmentStatus
POST_ACTOR = Actor(None, "Bưu điện (phát thành công)")


class Carrier(Protocol):
    """The carrier's API (``motcua.channels.post``)."""

    name: str

    def create_order(self, shipment) -> Any: ...

    def track(self, number: str) -> list[tuple[str, CarrierEvent, bytes | None]]: ...

    def cancel(self, number: str, reason: str) -> None: ...


# -- the choice at filing ---------------------------------------------------------------------

def receiver_from(form: dict, applicant: dict) -> dict:
    """The address a result goes to, from a filing form (checked); the commune by its
    code in the national division list."""
    from vietnam_provinces import Ward, WardCode

    party = Party(nfc(form.get("name") or applicant.get("name", "")),
                  (form.get("phone") or applicant.get("phone", "")).strip(),
                  nfc(form.get("address") or ""), None, (form.get("commune") or "").strip())
    party.check("người nhận kết quả")
    if not party.commune_code.isdigit():
        raise ValidationError("Chọn xã, phường nơi nhận kết quả.", field="commune")
    try:
        ward = Ward.from_code(WardCode(int(party.commune_code)))
    except ValueError as exc:
        raise ValidationError(f"Không có xã, phường mã {party.commune_code}.",
                              field="commune") from exc
    return {"name": party.name, "phone": party.phone, "address": party.address,
            "province_code": int(ward.province_code), "commune_code": f"{int(ward.code):05d}",
            "commune_name": nfc(ward.name)}


ZONES = {"noi_xa": "trong xã, phường của cơ quan", "noi_tinh": "trong tỉnh",
         "ngoai_tinh": "ngoài tỉnh"}


def tariff(ctx: Context) -> dict[str, int]:
    """The fee of a return by post for each zone (``MOTCUA_POSTAL_TARIFF``; a zone left
    out, or no table, costs ``MOTCUA_POSTAL_FEE``)."""
    def make() -> dict[str, int]:
        table: dict = {}
        if ctx.settings.postal_tariff.strip():
            try:
                table = json.loads(ctx.settings.postal_tariff)
            except ValueError as exc:
                raise ValidationError("MOTCUA_POSTAL_TARIFF không phải JSON hợp lệ.") from exc
        fees = {}
        for zone in ZONES:
            value = table.get(zone, ctx.settings.postal_fee)
            if not isinstance(value, int) or value < 0:
                raise ValidationError(f"Cước “{zone}” trong MOTCUA_POSTAL_TARIFF phải là số "
                                      "đồng không âm.")
            fees[zone] = value
        return fees
    return cache.kept(ctx, ("postal tariff",), make)


def zone_of(unit_code: str, province_code: int, receiver: dict) -> str:
    """How far a result goes: the unit's own commune or ward (its code is the commune's
    code), the province, or beyond."""
    if receiver.get("commune_code") and receiver["commune_code"] == unit_code:
        return "noi_xa"
    return "noi_tinh" if receiver.get("province_code") == province_code else "ngoai_tinh"


def request_return(ctx: Context, uow, dossier, receiver: dict, at: datetime) -> None:
    """Record, in the filing's transaction, that the result goes back by post, at the
    tariff of its zone."""
    unit = uow.units.by_id(dossier.unit_id)
    fee = tariff(ctx)[zone_of(unit.code, ctx.settings.province_code, receiver)]
    uow.postal.add({
        "dossier_code": dossier.code, "unit_id": dossier.unit_id,
        "direction": Direction.OUTBOUND.value, "carrier": ctx.settings.post_carrier,
        "order_number": dossier.code, "tracking_number": None,
        "sender": {"name": f"Bộ phận một cửa, {unit.name}", "phone": "",
                   "address": unit.place_name or unit.name},
        "receiver": receiver, "contents": [{"name": "Kết quả giải quyết thủ tục hành chính: "
                                             + dossier.procedure.name, "original": True,
                                             "sheets": 1}],
        "fee": fee, "cod_amount": 0, "status": S.REQUESTED.value,
        "created_at": at, "updated_at": at})


def filing_hook(ctx: Context, receiver: dict | None, inbound_number: str = "",
                official: Official | None = None, electronic: bool = False):
    """What a filing records about how its result goes back, in its transaction
    (``receive_dossier``'s ``with_dossier``): by post (and the parcel the dossier came
    in), or electronically where the procedure allows it."""
    if not receiver and not inbound_number and not electronic:
        return None

    def hook(uow, dossier) -> None:
        if electronic:
            if not dossier.procedure.electronic_result:
                raise ValidationError(f"Thủ tục “{dossier.procedure.name}” chưa cho phép trả "
                                      "kết quả điện tử; chọn nhận tại quầy hoặc qua bưu chính.")
            if receiver:
                raise ValidationError("Chọn một cách nhận kết quả: điện tử hoặc bưu chính.")
            uow.postal.choose_electronic(dossier.code, ctx.clock.now())
        if receiver:
            request_return(ctx, uow, dossier, receiver, ctx.clock.now())
        if inbound_number and official is not None:
            log_inbound(ctx, uow, dossier, inbound_number, ctx.clock.now(), official)
    return hook


def _desk_event(uow, shipment_id: int, key: str, status: ShipmentStatus, at: datetime,
                note: str, *, place: str = "", received_by: str = "") -> None:
    """What the desk itself recorded on a shipment (order, hand-over, cancel, arrival)."""
    uow.postal.add_event({"shipment_id": shipment_id, "event_key": key, "status": status.value,
                          "at": at, "recorded_at": at, "place": place, "note": note,
                          "received_by": received_by, "source": "desk",
                          "outcome": Outcome.APPLIED.value})


def log_inbound(ctx: Context, uow, dossier, tracking_number: str, at: datetime,
                official: Official) -> None:
    """A dossier that came by post: its parcel, received by the desk now."""
    number = checked_tracking_number(tracking_number)
    shipment_id = uow.postal.add({
        "dossier_code": dossier.code, "unit_id": dossier.unit_id,
        "direction": Direction.INBOUND.value, "carrier": ctx.settings.post_carrier,
        "order_number": number, "tracking_number": number,
        "sender": {"name": dossier.applicant_name, "phone": dossier.applicant_phone,
                   "address": dossier.applicant_address},
        "receiver": {"name": f"Bộ phận một cửa, {uow.units.by_id(dossier.unit_id).name}"},
        "contents": [], "fee": 0, "cod_amount": 0, "status": S.DELIVERED.value,
        "last_event_at": at, "delivered_to": official.full_name,
        "created_at": at, "updated_at": at})
    _desk_event(uow, shipment_id, "desk-received", S.DELIVERED, at,
                "Bộ phận một cửa nhận bưu gửi", place="Bộ phận một cửa",
                received_by=official.full_name)


# -- a paper dossier posted by the citizen -----------------------------------------------------------

def register_inbound(ctx: Context, ref: str, last4: str, number: str, client: str) -> str:
    """The citizen who filed online (``TT-…``, with the 4 digits) gives the number of the
    parcel they posted their paper dossier in, at their post office: motcua follows it
    from there (the worker asks the carrier) until the desk receives it, and the parcel
    follows the filing when it becomes a dossier. Answers the number, checked."""
    from motcua.services import tracking

    view = tracking.track(ctx, ref, last4, client)  # the digits, throttled
    if not view.ref.startswith("TT-") or view.status.value != "pending":
        raise IllegalTransition("Chỉ theo dõi bưu gửi hồ sơ giấy của hồ sơ trực tuyến đang "
                                "chờ tiếp nhận.")
    number = checked_tracking_number(number)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if uow.postal.by_number(number) is not None:
            raise ValidationError(f"Bưu gửi số {number} đã được đăng ký.")
        if uow.postal.of_dossier(view.ref, Direction.INBOUND.value):
            raise ValidationError("Hồ sơ này đã có bưu gửi hồ sơ giấy đang theo dõi.")
        submission = uow.submissions.get(view.ref)
        unit = uow.units.by_id(submission.unit_id)
        shipment_id = uow.postal.add({
            "dossier_code": view.ref, "unit_id": unit.id,
            "direction": Direction.INBOUND.value, "carrier": ctx.settings.post_carrier,
            "order_number": number, "tracking_number": number,
            "sender": {"name": view.applicant.get("name", ""),
                       "phone": view.applicant.get("phone", ""),
                       "address": view.applicant.get("address", "")},
            "receiver": {"name": f"Bộ phận một cửa, {unit.name}",
                         "address": unit.place_name or unit.name},
            "contents": [], "fee": 0, "cod_amount": 0, "status": S.HANDED_TO_POST.value,
            "last_event_at": now, "created_at": now, "updated_at": now})
        _desk_event(uow, shipment_id, "citizen-posted", S.HANDED_TO_POST, now,
                    "Người dân gửi hồ sơ giấy tại bưu cục và báo số bưu gửi",
                    place="Bưu cục nơi người dân gửi")
        uow.commit()
    return number


# -- results returned electronically ---------------------------------------------------------------

ELECTRONIC = Actor(None, "Hệ thống (trả kết quả điện tử)")


def return_electronically(ctx: Context, event) -> None:
    """After a step completes or a file is attached: a dossier whose applicant chose the
    electronic result, with its result ready and a signed result that verifies, is
    returned now (the applicant downloads it from the tracking page; the notification
    says so). Anything else: nothing."""
    from motcua.services import digitisation

    if event.name == "attach" and event.data.get("kind") != "result":
        return  # only a result file can complete an electronic return
    if event.name == "complete_step" and "next_step" in event.data:
        return  # not the last step: the result is not ready
    with ctx.uow() as uow:
        choice = uow.postal.electronic(event.code)
        if choice is None or choice.returned_at is not None:
            return
        dossier = uow.dossiers.get(event.code, corrections=False)
        if dossier.status is not DossierStatus.RESULT_READY:
            return
        results = [a for a in uow.attachments.for_dossier(dossier.id) if a.kind == "result"]
    if not any(digitisation.verify(ctx, a.sha256).valid for a in results):
        return
    now = ctx.clock.now()
    uc.act(ctx, event.code, ReturnResult(), actor=ELECTRONIC,
           then=lambda uow, d: uow.postal.returned_electronically(d.code, now))


def register(handlers) -> None:
    for name in ("complete_step", "attach"):
        handlers.on_commit(name, return_electronically)


# -- what the pages show ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ShipmentView:
    id: int
    dossier_code: str
    direction: Direction
    carrier: str
    tracking_number: str | None
    status: ShipmentStatus
    receiver: dict
    sender: dict
    contents: list
    fee: int
    failed_attempts: int
    delivered_to: str
    events: list
    handovers: list
    has_proof: bool
    lost: bool
    seal_number: str = ""

    @property
    def fee_text(self) -> str:
        return f"{vn_number(self.fee)} đồng"


def _view(uow, row) -> ShipmentView:
    return ShipmentView(row.id, row.dossier_code, Direction(row.direction), row.carrier,
                        row.tracking_number, S(row.status), dict(row.receiver), dict(row.sender),
                        list(row.contents), row.fee, row.failed_attempts, row.delivered_to,
                        uow.postal.events(row.id), uow.postal.handovers(row.id),
                        row.proof_sha256 is not None, row.lost_flagged_at is not None,
                        row.seal_number)


def of_dossier(uow, code: str) -> list[ShipmentView]:
    return [_view(uow, r) for r in uow.postal.of_dossier(code)]


def dossier_shipments(ctx: Context, code: str) -> list[ShipmentView]:
    """The dossier's shipments (the caller checked who may see the dossier)."""
    with ctx.uow() as uow:
        return of_dossier(uow, code)


def proof_image(ctx: Context, code: str) -> str | None:
    """The proof of delivery as a data URI (the caller checked the tracking digits)."""
    with ctx.uow() as uow:
        rows = [r for r in uow.postal.of_dossier(code, Direction.OUTBOUND.value)
                if r.proof_sha256]
    if not rows:
        return None
    return "data:image/png;base64," + base64.b64encode(
        ctx.files.read(rows[0].proof_sha256)).decode()


def _outbound(uow, code: str, official: Official):
    """The shipment of the dossier's result, for the desk of the dossier's unit."""
    found = uow.postal.of_dossier(code, Direction.OUTBOUND.value)
    if not found:
        raise NotFound(f"Hồ sơ {code} không đăng ký nhận kết quả qua bưu chính.")
    if not official.has_role(Role.DESK, found[0].unit_id):
        raise PermissionDenied("Chỉ cán bộ một cửa của nơi tiếp nhận hồ sơ mới gửi kết quả "
                               "qua bưu chính.")
    return found[0]


# -- the desk's acts -----------------------------------------------------------------------------

def create_label(ctx: Context, code: str, official: Official, carrier: Carrier, *,
                 contents: str = "", seal_number: str = "") -> ShipmentView:
    """The carrier's order for the result (the result must be ready): its tracking
    number, then the label to print. Asking twice gives the same order (the order
    number is the dossier code). ``contents``: the documents in the parcel, one per line
    (``parse_contents``); ``seal_number``: the envelope's seal."""
    items = parse_contents(contents)
    seal_number = nfc(seal_number or "")[:40]
    with ctx.uow() as uow:
        row = _outbound(uow, code, official)
        if S(row.status) is not S.REQUESTED:
            return _view(uow, row)
        if uow.dossiers.get(code).status is not DossierStatus.RESULT_READY:
            raise IllegalTransition("Hồ sơ chưa có kết quả: chỉ tạo vận đơn khi kết quả đã "
                                    "sẵn sàng để gửi.")
        if items or seal_number:
            uow.postal.update(row.id, ctx.clock.now(), seal_number=seal_number,
                              **({"contents": items} if items else {}))
            uow.commit()
            row = uow.postal.get(row.id)
    order = carrier.create_order(row)  # outside any transaction: the carrier may be slow
    number = checked_tracking_number(order.tracking_number)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = uow.postal.locked(row.id)
        if S(row.status) is S.REQUESTED:
            uow.postal.update(row.id, now, tracking_number=number, status=S.LABEL_CREATED.value,
                              fee=order.fee or row.fee, last_event_at=now)
            _desk_event(uow, row.id, "label", S.LABEL_CREATED, now,
                        f"Vận đơn {number} của {carrier.name}")
            uow.commit()
        return _view(uow, uow.postal.get(row.id))


def hand_over(ctx: Context, code: str, official: Official, *, signer_name: str, id_type: str,
              id_number: str, evidence: Upload | None = None) -> ShipmentView:
    """The desk hands the parcel to the postman, who signs for it: who, with which ID
    (kept masked), when, and a photo or the signed slip as evidence."""
    signer_name = nfc(signer_name or "")
    if not signer_name:
        raise ValidationError("Cần họ tên nhân viên bưu chính ký nhận.", field="signer_name")
    if id_type not in ID_TYPES:
        raise ValidationError("Chọn loại giấy tờ của người ký nhận.", field="id_type")
    masked = masked_id(id_number)
    stored = uc.checked_uploads(ctx, [evidence]) if evidence is not None else []
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = _outbound(uow, code, official)
        row = uow.postal.locked(row.id)
        # the postman's scan may reach us before the clerk records his signature
        if S(row.status) not in (S.LABEL_CREATED, S.HANDED_TO_POST) \
                or uow.postal.handovers(row.id):
            raise IllegalTransition(f"Bưu gửi đang ở trạng thái “{S(row.status).label}”: chỉ "
                                    "bàn giao một lần, sau khi đã tạo vận đơn.")
        sha = uc.stored(ctx, stored)[0].sha256 if stored else None
        uow.postal.add_handover({"shipment_id": row.id, "from_party": row.sender["name"],
                                 "to_party": ctx.settings.post_carrier, "signer_name": signer_name,
                                 "id_type": id_type, "id_masked": masked, "at": now,
                                 "evidence_sha256": sha, "recorded_by_name": official.full_name})
        if S(row.status) is S.LABEL_CREATED:
            uow.postal.update(row.id, now, status=S.HANDED_TO_POST.value, last_event_at=now)
        _desk_event(uow, row.id, "handover", S.HANDED_TO_POST, now,
                    f"{official.full_name} bàn giao cho {signer_name}", place="Bộ phận một cửa",
                    received_by=signer_name)
        dossier = uow.dossiers.get(code)
        notifications.about_dossier(ctx, uow, dossier, "gui_buu_chinh", f"post-{row.id}",
                                    so_buu_gui=row.tracking_number or "",
                                    don_vi_buu_chinh=row.carrier)
        uow.commit()
        return _view(uow, uow.postal.get(row.id))


def cancel(ctx: Context, code: str, official: Official, carrier: Carrier | None,
           reason: str) -> ShipmentView:
    """The citizen will collect the result at the desk after all (before the post has it)."""
    reason = nfc(reason or "")
    if not reason:
        raise ValidationError("Cần lý do hủy gửi qua bưu chính.", field="reason")
    with ctx.uow() as uow:
        row = _outbound(uow, code, official)
        if S(row.status) not in (S.REQUESTED, S.LABEL_CREATED):
            raise IllegalTransition("Bưu điện đã nhận bưu gửi: không hủy được nữa.")
    if row.tracking_number and carrier is not None:
        carrier.cancel(row.tracking_number, reason)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.postal.update(row.id, now, status=S.CANCELLED.value, last_event_at=now)
        _desk_event(uow, row.id, "cancel", S.CANCELLED, now, f"{official.full_name}: {reason}")
        uow.commit()
        return _view(uow, uow.postal.get(row.id))


# -- the carrier's events ---------------------------------------------------------------------

def record(ctx: Context, number: str, event: CarrierEvent, *, source: str,
           proof: bytes | None = None) -> Outcome:
    """A carrier's event (webhook or polling): kept once, applied in time order; a
    delivery returns the dossier in the same transaction; a contradiction goes to review."""
    proof_sha = ctx.files.put(proof) if proof else None
    now = ctx.clock.now()
    with ctx.uow() as uow:
        found = uow.postal.by_number((number or "").strip().upper())
        if found is None:
            raise NotFound(f"Không có bưu gửi số {number}.")
        row = uow.postal.locked(found.id)
        current = S(row.status)
        outcome, reason = judge(current, row.last_event_at, event,
                                uow.postal.seen(row.id, event.event_id))
        if outcome is Outcome.DUPLICATE:
            return outcome
        uow.postal.add_event({"shipment_id": row.id, "event_key": event.event_id[:120],
                              "status": event.status.value, "at": event.at, "recorded_at": now,
                              "place": event.place, "note": event.note,
                              "received_by": event.received_by, "source": source,
                              "outcome": outcome.value})
        dossier = None
        if outcome is Outcome.CONFLICT:
            uow.postal.add_review({"shipment_id": row.id, "reason": reason, "at": now,
                                   "event": {"status": event.status.value,
                                             "at": event.at.isoformat(), "place": event.place,
                                             "note": event.note,
                                             "received_by": event.received_by}})
        elif outcome is Outcome.APPLIED:
            dossier = _apply(ctx, uow, row, event, proof_sha, now)
        if dossier is not None:
            events.commit(ctx, uow, [dossier])
        else:
            uow.commit()
    return outcome


def _apply(ctx: Context, uow, row, event: CarrierEvent, proof_sha: str | None, now: datetime):
    """Move the shipment; what it means for the dossier and the citizen. Returns the
    dossier when it changed (delivered: returned by the system)."""
    values: dict = {"status": event.status.value, "last_event_at": event.at,
                    "lost_flagged_at": None}
    failed = row.failed_attempts + (event.status is S.DELIVERY_FAILED)
    values["failed_attempts"] = failed
    outbound = row.direction == Direction.OUTBOUND.value
    dossier = uow.dossiers.get(row.dossier_code) if outbound else None
    changed = None
    if event.status is S.DELIVERED:
        values.update(delivered_to=event.received_by, proof_sha256=proof_sha)
        # the last link of the chain: from the postman to who received it, with the proof
        uow.postal.add_handover({"shipment_id": row.id, "from_party": row.carrier,
                                 "to_party": row.receiver.get("name", ""),
                                 "signer_name": event.received_by, "id_type": "",
                                 "id_masked": "", "at": event.at, "evidence_sha256": proof_sha,
                                 "recorded_by_name": f"{row.carrier} (báo phát)"})
        if dossier is not None and dossier.status is DossierStatus.RESULT_READY:
            uc.apply_in(ctx, uow, dossier, ReturnResult(),
                        Actor(None, f"Bưu điện phát thành công, người nhận: "
                                    f"{event.received_by}"))
            changed = dossier
    elif event.status is S.DELIVERY_FAILED and failed == ctx.settings.postal_max_attempts \
            and dossier is not None:
        notifications.about_dossier(ctx, uow, dossier, "buu_chinh_khong_phat_duoc",
                                    f"post-{row.id}-failed", so_buu_gui=row.tracking_number or "",
                                    ly_do=event.note or "không gặp người nhận")
    uow.postal.update(row.id, now, **values)
    return changed


def poll(ctx: Context, carrier: Carrier) -> dict[str, int]:
    """Ask the carrier about every parcel it holds (the worker's job): what its webhook
    did not bring is recorded now, and nothing twice."""
    counts = {o.value: 0 for o in Outcome}
    with ctx.uow() as uow:
        numbers = [r.tracking_number for r in uow.postal.with_post(labelled=True)
                   if r.tracking_number]
    for number in numbers:
        for found, event, proof in carrier.track(number):
            try:
                counts[record(ctx, found or number, event, source="poll",
                              proof=proof).value] += 1
            except NotFound:
                continue
    return counts


def flag_lost(ctx: Context) -> int:
    """Parcels with the post and no news for ``postal_lost_days``: on the review list,
    the unit's heads and the citizen told (once per silence)."""
    now = ctx.clock.now()
    limit = now - timedelta(days=ctx.settings.postal_lost_days)
    flagged = 0
    with ctx.uow() as uow:
        for row in uow.postal.with_post():
            if row.lost_flagged_at is not None or row.last_event_at is None \
                    or row.last_event_at > limit:
                continue
            uow.postal.update(row.id, now, lost_flagged_at=now)
            uow.postal.add_review({"shipment_id": row.id, "at": now, "event": {},
                                   "reason": f"Không có tin của bưu gửi từ "
                                             f"{vn_date_time(row.last_event_at)}: có thể thất "
                                             "lạc; liên hệ bưu điện."})
            dossier = uow.dossiers.get(row.dossier_code)
            notifications.about_dossier(ctx, uow, dossier, "buu_gui_cham", f"post-{row.id}-lost",
                                        so_buu_gui=row.tracking_number or "")
            for official_id, name, email in uow.officials.holders(row.unit_id, [Role.HEAD]):
                n = notifications.to_official(
                    ctx, uow, event="postal_lost", key="buu_gui_that_lac",
                    dedupe=f"{row.dossier_code}:post-{row.id}-lost", official_id=official_id,
                    name=name, email=email, unit_id=row.unit_id, code=row.dossier_code,
                    params={"ma_ho_so": row.dossier_code, "thu_tuc": dossier.procedure.name,
                            "so_buu_gui": row.tracking_number or "",
                            "lien_ket": f"{ctx.settings.public_url}/ho-so/{row.dossier_code}"})
                uow.notifications.add(n.row(dossier.province_code, now))
            flagged += 1
        uow.commit()
    return flagged


# -- the review list ------------------------------------------------------------------------------

def reviews(ctx: Context, official: Official) -> list:
    units = sorted(official.units_with(Role.DESK, Role.HEAD))
    if not units:
        raise PermissionDenied("Danh sách cần xem xét dành cho bộ phận một cửa và lãnh đạo.")
    with ctx.uow() as uow:
        return uow.postal.reviews(units)


def resolve(ctx: Context, review_id: int, official: Official, note: str) -> None:
    note = nfc(note or "")
    if not note:
        raise ValidationError("Cần ghi cách đã xử lý.", field="note")
    with ctx.uow() as uow:
        if not uow.postal.resolve(review_id, sorted(official.units_with(Role.DESK, Role.HEAD)),
                                  official.full_name, note, ctx.clock.now()):
            raise NotFound(f"Không có mục cần xem xét số {review_id} của đơn vị mình.")
        uow.commit()


def shipments(ctx: Context, official: Official) -> list[ShipmentView]:
    units = sorted(official.units_with(Role.DESK, Role.HEAD))
    if not units:
        raise PermissionDenied("Danh sách bưu gửi dành cho bộ phận một cửa và lãnh đạo.")
    with ctx.uow() as uow:
        return [_view(uow, r) for r in uow.postal.for_units(units)]


@dataclass(frozen=True)
class ReturnsRow:
    unit: str
    returned: int            # dossiers returned in the period, however
    returned_by_post: int    # of which by post, on proof of delivery
    returned_electronically: int  # of which electronically (the signed result)
    shipments: int           # results sent by post in the period
    delivered: int
    redelivered: int         # delivered after a failed attempt
    returned_to_agency: int
    lost: int
    on_the_way: int
    median_hours: float | None  # from the hand-over to the proof of delivery

    @property
    def returned_at_desk(self) -> int:
        return self.returned - self.returned_by_post - self.returned_electronically


def returns_report(ctx: Context, start: datetime, end: datetime, *,
                   official: Official | None = None,
                   unit_code: str | None = None) -> list[ReturnsRow]:
    """Returns in [start, end) per unit: how (at the desk, by post), and the results sent
    by post: delivered, after a failure, back to the agency, flagged lost, still on the
    way, how long delivery took (median, hours from the hand-over to the proof). For the
    units of ``official`` (the desk's page) or of the leaders' scope ``unit_code`` (the
    unit and those under it; ``None``: the whole province)."""
    with ctx.uow() as uow:
        allowed: set[int] | None = None  # None: the whole province
        if official is not None:
            allowed = official.units_with(Role.DESK, Role.HEAD, Role.SIGNER)
            if not allowed:
                raise PermissionDenied("Báo cáo bưu chính dành cho bộ phận một cửa và lãnh đạo.")
        elif unit_code:
            top = uow.units.by_code(unit_code)
            allowed = {top.id} | {u.id for u in uow.units.all() if u.parent_id == top.id}

        def wanted(unit_id: int) -> bool:
            return allowed is None or unit_id in allowed

        shipments: dict[int, list] = {}
        for r in uow.postal.outcomes(start, end):
            if wanted(r.unit_id):
                shipments.setdefault(r.unit_id, []).append(r)
        returned = {u: v for u, v in uow.postal.returned_by_channel(start, end).items()
                    if wanted(u)}
        names = {u: uow.units.by_id(u).name for u in {*shipments, *returned}}
    rows = []
    for unit_id, name in names.items():
        found = shipments.get(unit_id, [])
        hours = [(r.delivered_at - r.handed_at).total_seconds() / 3600 for r in found
                 if r.delivered_at and r.handed_at]
        total, by_post, online = returned.get(unit_id, (0, 0, 0))
        rows.append(ReturnsRow(
            name, total, by_post, online, len(found), sum(r.status == S.DELIVERED.value for r in found),
            sum(r.status == S.DELIVERED.value and r.failed_attempts > 0 for r in found),
            sum(r.status == S.RETURNED_TO_AGENCY.value for r in found),
            sum(r.lost_flagged_at is not None for r in found),
            sum(r.status not in (S.DELIVERED.value, S.RETURNED_TO_AGENCY.value,
                                 S.CANCELLED.value) for r in found),
            round(statistics.median(hours), 1) if hours else None))
    return sorted(rows, key=lambda r: r.unit)



def label_data(ctx: Context, code: str, official: Official) -> dict:
    """What the label and the hand-over record print (the desk of the dossier's unit)."""
    with ctx.uow() as uow:
        row = _outbound(uow, code, official)
        if not row.tracking_number:
            raise IllegalTransition("Chưa có vận đơn: tạo vận đơn trước khi in nhãn.")
        unit = uow.units.by_id(row.unit_id)
        handovers = uow.postal.handovers(row.id)
    return {"code": code, "tracking_number": row.tracking_number, "carrier": row.carrier,
            "sender": dict(row.sender), "receiver": dict(row.receiver),
            "contents": contents_lines(row.contents), "fee": row.fee,
            "cod_amount": row.cod_amount, "seal_number": row.seal_number,
            "tracking_url": f"{ctx.settings.public_url}/tra-cuu?ma={code}",
            "unit_name": unit.name, "place": unit.place_name or ctx.settings.place_name,
            "day": ctx.clock.now(), "official": official.full_name,
            "handover": _handover_fields(handovers[0]) if handovers else None}


def _handover_fields(h) -> dict:
    return {"signer": h.signer_name, "id_type": ID_TYPES.get(h.id_type, h.id_type),
            "id_masked": h.id_masked, "at": h.at, "recorded_by": h.recorded_by_name}


def contents_lines(items: Iterable[dict]) -> list[str]:
    return [f"{c['name']} ({'bản chính' if c.get('original') else 'bản sao'}, "
            f"{c.get('sheets', 1)} tờ)" for c in items]

