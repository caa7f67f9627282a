"""Notifications: rows of the outbox written with the change, sent later by the worker.

Dossier events are turned into notification rows by a durable handler
(``on_dossier_event``, registered in bootstrap), inside the transaction of the
change; online filings write theirs in their own transaction (``for_filing``).
Nothing is sent inside a transaction: ``relay`` (run by ``motcua worker``)
claims due rows, sends each through its channel's sender with the row id as the
provider's idempotency key, and records the outcome. A transient failure is
retried with a capped exponential backoff; a permanent one (bad number, 4xx)
is never retried: the row is DEAD and the citizen's next channel gets a row
(ZNS, SMS, email in their chosen order, then the desk's print list).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from motcua.domain.errors import NotFound, PermissionDenied, ValidationError
from motcua.domain.lifecycle import Status as DossierStatus
from motcua.domain.notifications import (
    CITIZEN_CHANNELS,
    DEFAULT_TEMPLATES,
    OPTIONAL_TEMPLATES,
    TEMPLATE_LABELS,
    Channel,
    Recipient,
    Rendered,
    Status,
    Template,
    check_template,
    citizen_channels,
    render,
)
from motcua.domain.text import nfc, vn_date_time
from motcua.domain.units import Official, Role
from motcua.keys import same_secret
from motcua.services import cache
from motcua.services.context import Context
from motcua.services.outbox import Backoff, PermanentFailure, TransientFailure

# -- what is written ---------------------------------------------------------------------


@dataclass(frozen=True)
class Notification:
    """One row of the notification outbox (event x recipient x channel)."""

    event: str
    dedupe_key: str
    recipient: Recipient
    recipient_name: str
    address: str
    channel: Channel
    fallback: tuple[str, ...]
    template: Template
    params: dict[str, str]
    dossier_code: str | None
    unit_id: int | None
    recipient_id: int | None = None
    status: Status = Status.PENDING
    note: str = ""

    @property
    def mandatory(self) -> bool:
        return self.template.key not in OPTIONAL_TEMPLATES

    def row(self, province_code: int, at: datetime) -> dict:
        return {"province_code": province_code, "dedupe_key": self.dedupe_key[:200],
                "event": self.event, "dossier_code": self.dossier_code, "unit_id": self.unit_id,
                "recipient_kind": self.recipient.value, "recipient_id": self.recipient_id,
                "recipient_name": self.recipient_name[:255], "address": self.address[:255],
                "channel": self.channel.value, "fallback": list(self.fallback),
                "template": self.template.key, "template_version": self.template.version,
                "params": self.params, "mandatory": self.mandatory,
                "status": self.status.value, "attempts": 0, "next_attempt_at": at,
                "last_error": self.note, "created_at": at, "updated_at": at}

    def write(self, uow, event, dossier=None) -> None:
        uow.notifications.add(self.row(event.province_code, event.at), dossier)


def _in_force(uow) -> dict[str, Template]:
    """The shipped templates, replaced by an administrator's newest versions."""
    return {**DEFAULT_TEMPLATES, **uow.notifications.templates()}


def templates(ctx: Context, uow) -> dict[str, Template]:
    """The templates in force, kept by the process a minute (an edit made in this process
    is seen at once)."""
    return cache.kept(ctx, ("notification_templates",), lambda: _in_force(uow))


def _unit_name(ctx: Context, uow, unit_id: int) -> str:
    return cache.kept(ctx, ("unit_name", unit_id), lambda: uow.units.by_id(unit_id).name)


def _preferences(ctx: Context, uow, ref: str, new: bool):
    """The citizen's channels and consent: set once at filing, so kept by the process a
    minute; an unsubscribe is checked again when an optional message is sent."""
    if new:  # written in this transaction (or none): kept for the dossier's next events
        return cache.keep(ctx, ("notification_preferences", ref),
                          uow.notifications.preferences(ref, new=True))
    return cache.kept(ctx, ("notification_preferences", ref),
                      lambda: uow.notifications.preferences(ref))


def _template_at(ctx: Context, key: str, version: int) -> Template:
    """The version a row was written with (an edit later does not change a queued row);
    a version never changes, so the process keeps it."""
    def load() -> Template:
        with ctx.uow() as uow:
            for row in uow.notifications.template_history(key):
                if row.version == version:
                    return Template(row.key, row.version, row.subject, row.body, row.sms,
                                    row.zns_template_id)
        return DEFAULT_TEMPLATES[key]
    if version == DEFAULT_TEMPLATES[key].version:
        return DEFAULT_TEMPLATES[key]
    return cache.kept(ctx, ("notification_template", key, version), load)


# -- citizens -------------------------------------------------------------------------------

def unsubscribe_mac(ctx: Context, ref: str) -> str:
    return hmac.new(ctx.audit_key, b"unsubscribe:" + ref.encode(), hashlib.sha256).hexdigest()[:24]


def _citizen_params(ctx: Context, code: str, name: str, procedure: str, unit: str,
                    **extra: str) -> dict[str, str]:
    base = ctx.settings.public_url
    return {"ten": name, "ma_ho_so": code, "thu_tuc": procedure, "co_quan": unit,
            "lien_ket": f"{base}/tra-cuu?ma={code}", **extra}


def _to_citizen(ctx: Context, uow, *, ref: str, event: str, key: str, seq: int | str,
                name: str, phone: str, email: str, params: dict[str, str],
                unit_id: int | None, in_person: bool = False,
                new: bool = False) -> Notification | None:
    template = templates(ctx, uow)[key]
    prefs = _preferences(ctx, uow, ref, new)
    channels = citizen_channels(prefs.channels if prefs else [], phone, email)
    status, note = Status.PENDING, ""
    if template.key in OPTIONAL_TEMPLATES:
        channels = [c for c in channels if c is not Channel.PRINT]
        if prefs is None or not prefs.optional_consent or prefs.unsubscribed_at is not None:
            return None  # not asked for: nothing is queued (nor written)
        if not channels:
            status, note = Status.SUPPRESSED, "Người nộp không để lại địa chỉ nhận tin."
        else:
            params = {**params, "huy_dang_ky":
                      f"{ctx.settings.public_url}/thong-bao/huy?ma={ref}"
                      f"&k={unsubscribe_mac(ctx, ref)}"}
    elif channels == [Channel.PRINT] and in_person:
        status, note = Status.SUPPRESSED, "Đã trao phiếu tận tay tại bộ phận một cửa."
    channel = channels[0] if channels else Channel.PRINT
    address = {Channel.EMAIL: email, Channel.PRINT: ""}.get(channel, phone)
    return Notification(event, f"{ref}:{seq}:{key}:citizen:{channel.value}", Recipient.CITIZEN,
                        name, address, channel, tuple(c.value for c in channels[1:]),
                        template, params, ref, unit_id, status=status, note=note)


def _where_to_collect(unit_name: str) -> str:
    return (f"Bộ phận tiếp nhận và trả kết quả của {unit_name}, mang theo giấy tiếp nhận "
            "hồ sơ và hẹn trả kết quả")


def _citizen_messages(ctx: Context, uow, event, dossier) -> list[Notification]:
    name = event.name
    key: str | None = None
    extra: dict[str, str] = {}
    if name == "receive":
        key = "da_tiep_nhan"
        extra["ngay_hen"] = vn_date_time(dossier.appointment)
    elif name == "request_supplement" and dossier.supplements:
        asked = dossier.supplements[-1]
        key = "yeu_cau_bo_sung"
        extra = {"giay_to_thieu": "; ".join(asked.missing) or "theo hướng dẫn của cán bộ",
                 "ly_do": asked.reason or "Hồ sơ chưa đầy đủ, hợp lệ",
                 "han_bo_sung": vn_date_time(dossier.closable_from(ctx.calendar))}
    elif name == "supplement":
        key, extra = "da_nhan_bo_sung", {"ngay_hen_moi": vn_date_time(dossier.appointment)}
    elif name == "extend":
        key = "xin_loi_gia_han"
        extra = {"ngay_hen_moi": vn_date_time(dossier.appointment),
                 "ly_do": dossier.extension_reason}
    elif name in ("stop", "refuse", "close"):
        key = {"stop": "dung_giai_quyet", "refuse": "tu_choi_giai_quyet",
               "close": "dong_ho_so"}[name]
        extra = {"ly_do": dossier.close_reason}
    elif name == "complete_step" and dossier.status is DossierStatus.RESULT_READY:
        key = "co_ket_qua"
    elif name == "return":
        key = "da_tra_ket_qua"
    if key is None:
        return []
    unit = _unit_name(ctx, uow, dossier.unit_id)
    if key == "co_ket_qua":
        extra["noi_nhan"] = _where_to_collect(unit)
    params = _citizen_params(ctx, dossier.code, dossier.applicant_name, dossier.procedure.name,
                             unit, **extra)
    common = {"ref": dossier.code, "event": name, "seq": event.seq,
              "name": dossier.applicant_name, "phone": dossier.applicant_phone,
              "email": dossier.applicant_email, "unit_id": dossier.unit_id}
    found = [_to_citizen(ctx, uow, key=key, params=params, new=name == "receive",
                         in_person=name == "receive" and dossier.channel.value != "online",
                         **common)]
    if name == "return":
        found.append(_to_citizen(ctx, uow, key="moi_danh_gia", params=params, **common))
    return [n for n in found if n is not None]


# -- officials ------------------------------------------------------------------------------

def to_official(ctx: Context, uow, *, event: str, key: str, dedupe: str, official_id: int,
                name: str, email: str, params: dict[str, str],
                unit_id: int | None, code: str) -> Notification:
    template = templates(ctx, uow)[key]
    status, note = Status.PENDING, ""
    if not email:
        status, note = Status.SUPPRESSED, "Cán bộ chưa khai báo địa chỉ thư điện tử."
    return Notification(event, f"{dedupe}:{key}:official{official_id}:email",
                        Recipient.OFFICIAL, name, email, Channel.EMAIL, (), template,
                        {**params, "ten": name}, code, unit_id, recipient_id=official_id,
                        status=status, note=note)


def step_params(ctx: Context, dossier, step) -> dict[str, str]:
    return {"ma_ho_so": dossier.code, "thu_tuc": dossier.procedure.name, "buoc": step.name,
            "han_buoc": vn_date_time(step.planned_deadline),
            "lien_ket": f"{ctx.settings.public_url}/ho-so/{dossier.code}"}


def _official_messages(ctx: Context, uow, event, dossier) -> list[Notification]:
    if event.name != "assign" or dossier.status is not DossierStatus.IN_PROGRESS:
        return []
    step = dossier.step
    if step.assignee_id is None or step.assignee_id == event.actor_id:
        return []  # who assigns a step to themself needs no message
    official = uow.officials.by_id(step.assignee_id)
    return [to_official(ctx, uow, event="assign", key="giao_xu_ly",
                        dedupe=f"{dossier.code}:{event.seq}", official_id=official.id,
                        name=official.full_name, email=official.email,
                        params=step_params(ctx, dossier, step), unit_id=step.unit_id,
                        code=dossier.code)]


def on_dossier_event(ctx: Context, uow, event, dossier) -> list[Notification]:
    """The durable handler of every dossier event: the notifications it causes."""
    return [*_citizen_messages(ctx, uow, event, dossier),
            *_official_messages(ctx, uow, event, dossier)]


def register(handlers) -> None:
    handlers.durable("*", on_dossier_event)


def _queue(ctx: Context, uow, *, ref: str, key: str, tag: int | str, name: str,
           phone: str, email: str, unit_id: int, province_code: int, procedure: str,
           unit: str, new: bool = False, **extra: str) -> None:
    """Queue a message to the citizen that is not a dossier event's: written at once."""
    n = _to_citizen(ctx, uow, ref=ref, event=key, key=key, seq=tag, name=name, phone=phone,
                    email=email, unit_id=unit_id, new=new,
                    params=_citizen_params(ctx, ref, name, procedure, unit, **extra))
    if n is not None:
        uow.notifications.add(n.row(province_code, ctx.clock.now()))


def about_dossier(ctx: Context, uow, dossier, key: str, tag: str, **extra: str) -> None:
    """A message about a dossier that is not a dossier event (the post: sent, not
    delivered, no news); ``tag`` makes it once per happening."""
    _queue(ctx, uow, ref=dossier.code, key=key, tag=tag, name=dossier.applicant_name,
           phone=dossier.applicant_phone, email=dossier.applicant_email,
           unit_id=dossier.unit_id, province_code=dossier.province_code,
           procedure=dossier.procedure.name, unit=_unit_name(ctx, uow, dossier.unit_id),
           **extra)


# -- online filings (not dossiers yet) --------------------------------------------------------

def for_filing(ctx: Context, uow, submission, key: str, *, procedure: str, unit: str,
               **extra: str) -> None:
    """Queue the citizen's message about an online filing (awaiting the desk, refused)."""
    applicant = submission.applicant
    _queue(ctx, uow, ref=submission.ref, key=key, tag=0, name=applicant["name"],
           phone=applicant.get("phone", ""), email=applicant.get("email", ""),
           unit_id=submission.unit_id, province_code=submission.province_code,
           procedure=procedure, unit=unit, new=key == "cho_tiep_nhan", **extra)


def set_preferences(uow, ref: str, channels: list[str] | None, consent: bool,
                    at: datetime) -> None:
    chosen = [c for c in (channels or []) if c in {ch.value for ch in CITIZEN_CHANNELS}]
    uow.notifications.set_preferences(ref, chosen, bool(consent), at)


def copy_preferences(uow, from_ref: str, to_ref: str, at: datetime) -> None:
    prefs = uow.notifications.preferences(from_ref)
    if prefs is not None:
        uow.notifications.set_preferences(to_ref, list(prefs.channels), prefs.optional_consent,
                                          at)


def unsubscribe(ctx: Context, ref: str, mac: str) -> bool:
    """The citizen declines non-mandatory messages (the link in the message)."""
    if not same_secret(mac, unsubscribe_mac(ctx, ref)):
        raise ValidationError("Đường dẫn hủy nhận tin không đúng hoặc đã bị sửa.")
    with ctx.uow() as uow:
        changed = uow.notifications.unsubscribe(ref, ctx.clock.now())
        uow.commit()
    cache.forget(ctx, ("notification_preferences", ref))
    return bool(changed)


# -- sending ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outgoing:
    """A message as a sender sees it: its channel's form and the idempotency key."""

    id: int
    idempotency_key: str
    channel: Channel
    to: str
    recipient_name: str
    template: Template
    params: dict[str, str]
    rendered: Rendered


@dataclass(frozen=True)
class Sent:
    provider_message_id: str = ""


class Sender(Protocol):
    """One channel (``motcua.channels``): raises ``TransientFailure`` or
    ``PermanentFailure``; answers the provider's message id."""

    def send(self, message: Outgoing) -> Sent: ...


@dataclass
class RelayResult:
    counts: dict[str, int] = field(default_factory=lambda: {
        "sent": 0, "retry": 0, "dead": 0, "fallback": 0})

    def add(self, other: RelayResult) -> None:
        for k, v in other.counts.items():
            self.counts[k] += v


def _fallback(uow, row, now: datetime) -> bool:
    """After a channel failed for good, the citizen's next channel gets a row (its address
    read from the dossier or filing: a row keeps only the address of its own channel)."""
    rest = [Channel(c) for c in row.fallback]
    if not rest or row.recipient_kind != Recipient.CITIZEN.value:
        return False
    nxt = rest[0]
    address = "" if nxt is Channel.PRINT else uow.notifications.contact(
        row.dossier_code, "email" if nxt is Channel.EMAIL else "phone")
    base = row.dedupe_key.rsplit(":", 1)[0]
    uow.notifications.add({**{k: getattr(row, k) for k in (
        "province_code", "event", "dossier_code", "unit_id", "recipient_kind", "recipient_id",
        "recipient_name", "template", "template_version", "params", "mandatory")},
        "dedupe_key": f"{base}:{nxt.value}", "address": address, "channel": nxt.value,
        "fallback": [c.value for c in rest[1:]], "status": Status.PENDING.value,
        "attempts": 0, "next_attempt_at": now, "last_error": "",
        "created_at": now, "updated_at": now})
    return True


def _declined_since(ctx: Context, row, now: datetime) -> bool:
    """Whether the citizen declined optional messages after the row was written; if so
    the row is SUPPRESSED."""
    with ctx.uow() as uow:
        prefs = uow.notifications.preferences(row.dossier_code or "")
        if prefs is not None and prefs.optional_consent and prefs.unsubscribed_at is None:
            return False
        uow.notifications.update(row.id, now, status=Status.SUPPRESSED.value, locked_until=None,
                                 last_error="Người nhận đã hủy nhận tin không bắt buộc.")
        uow.commit()
    return True


def _outgoing(ctx: Context, row) -> Outgoing:
    template = _template_at(ctx, row.template, row.template_version)
    return Outgoing(row.id, f"motcua-{row.id}", Channel(row.channel), row.address,
                    row.recipient_name, template, dict(row.params),
                    render(template, row.params))


def relay(ctx: Context, senders: Mapping[Channel, Sender], *, limit: int = 100,
          lease: timedelta = timedelta(minutes=5), backoff: Backoff = Backoff()) -> RelayResult:
    """Send the due rows once: claim them (committed, so a crash leaves them ``sending``
    until the lease ends), send each, record each outcome in its own short transaction."""
    result = RelayResult()
    with ctx.uow() as uow:
        rows = uow.notifications.claim(ctx.clock.now(), limit, lease)
        uow.commit()
    for row in rows:
        now = ctx.clock.now()
        sender = senders.get(Channel(row.channel))
        try:
            if sender is None:
                raise PermanentFailure(f"Kênh {Channel(row.channel).label} chưa được cấu hình.")
            if not row.mandatory and _declined_since(ctx, row, now):
                continue
            sent = sender.send(_outgoing(ctx, row))
        except (TransientFailure, PermanentFailure) as exc:
            # a permanent failure is never tried again; a transient one until the cap
            attempts = row.attempts + 1  # the row was read before its claim counted this one
            dead = isinstance(exc, PermanentFailure) or attempts >= backoff.max_attempts
            with ctx.uow() as uow:
                uow.notifications.update(
                    row.id, now, status=(Status.DEAD if dead else Status.FAILED_RETRYABLE).value,
                    next_attempt_at=now + backoff.delay(attempts), locked_until=None,
                    last_error=str(exc))
                if dead and _fallback(uow, row, now):
                    result.counts["fallback"] += 1
                uow.commit()
            result.counts["dead" if dead else "retry"] += 1
        else:
            with ctx.uow() as uow:
                uow.notifications.update(row.id, now, status=Status.SENT.value, sent_at=now,
                                         locked_until=None, last_error="",
                                         provider_message_id=sent.provider_message_id or None)
                uow.commit()
            result.counts["sent"] += 1
    return result



def delivered(ctx: Context, idempotency_key: str, provider_message_id: str = "") -> int:
    """A provider's delivery receipt: the row it names is DELIVERED. Found by our
    idempotency key (``motcua-<row id>``: the SMS ``RequestId``, the ZNS ``tracking_id``),
    else by the provider's message id (``SMSID``, ``msg_id``)."""
    prefix, _, number = (idempotency_key or "").partition("-")
    by_key = prefix == "motcua" and number.isdigit() and len(number) <= 12
    if not by_key and not provider_message_id:
        return 0
    with ctx.uow() as uow:
        if by_key:
            changed = uow.notifications.delivered(ctx.clock.now(), row_id=int(number))
        else:
            changed = uow.notifications.delivered(ctx.clock.now(),
                                                  provider_message_id=provider_message_id)
        uow.commit()
    return changed


def worker_jobs(ctx: Context, official: Official) -> list[Any]:
    ensure_admin(official)
    with ctx.uow() as uow:
        return uow.notifications.jobs()


# -- the operator's and the desk's pages ----------------------------------------------------------

def ensure_admin(official: Official) -> None:
    if not official.has_role(Role.ADMIN):
        raise PermissionDenied("Chỉ quản trị hệ thống mới xem, gửi lại thông báo và sửa mẫu.")


@dataclass(frozen=True)
class NotificationView:
    id: int
    dossier_code: str | None
    event: str
    template: str
    recipient_kind: str
    recipient_name: str
    address: str
    channel: Channel
    status: Status
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    rendered: Rendered | None = None


def _view(row, ctx: Context | None = None) -> NotificationView:
    """A row as pages show it; with ``ctx``, the message's text too."""
    rendered = render(_template_at(ctx, row.template, row.template_version), row.params) \
        if ctx is not None else None
    return NotificationView(row.id, row.dossier_code, row.event, row.template,
                            row.recipient_kind, row.recipient_name,
                            _masked(row.address, row.channel), Channel(row.channel),
                            Status(row.status), row.attempts, row.last_error, row.created_at,
                            row.sent_at, row.delivered_at, rendered)


def _masked(address: str, channel: str) -> str:
    """Addresses on pages: enough to recognise, not to copy (0912***678, ng***@gmail.com)."""
    if not address:
        return ""
    if channel == Channel.EMAIL.value and "@" in address:
        local, domain = address.split("@", 1)
        return f"{local[:2]}***@{domain}"
    return f"{address[:4]}***{address[-3:]}" if len(address) > 7 else "***"


def failed(ctx: Context, official: Official) -> list[NotificationView]:
    ensure_admin(official)
    with ctx.uow() as uow:
        return [_view(r) for r in uow.notifications.by_status(
            [Status.DEAD.value, Status.FAILED_RETRYABLE.value])]


def summary(ctx: Context, official: Official) -> dict[tuple[str, str], int]:
    ensure_admin(official)
    with ctx.uow() as uow:
        return uow.notifications.counts()


def retry(ctx: Context, row_id: int, official: Official) -> None:
    ensure_admin(official)
    with ctx.uow() as uow:
        if not uow.notifications.retry(row_id, ctx.clock.now()):
            raise NotFound(f"Không có thông báo lỗi số {row_id} để gửi lại.")
        uow.commit()


def to_print(ctx: Context, official: Official) -> list[NotificationView]:
    """What could not be sent, for the desks of the official's units to print."""
    units = sorted(official.units_with(Role.DESK))
    if not units:
        raise PermissionDenied("Chỉ cán bộ tiếp nhận mới xem danh sách thông báo cần in.")
    with ctx.uow() as uow:
        rows = uow.notifications.by_status([Status.PENDING.value], channel=Channel.PRINT.value,
                                           unit_ids=units)
    return [_view(r, ctx) for r in rows]


def handed_over(ctx: Context, row_id: int, official: Official) -> None:
    """The desk printed the notice and gave it to the citizen (or posted it)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = uow.notifications.get(row_id)
        if row is None or row.channel != Channel.PRINT.value or row.status != Status.PENDING.value:
            raise NotFound(f"Không có thông báo chờ in số {row_id}.")
        if not official.has_role(Role.DESK, row.unit_id):
            raise PermissionDenied("Thông báo này thuộc bộ phận một cửa khác.")
        uow.notifications.update(row_id, now, status=Status.SENT.value, sent_at=now,
                                 last_error=f"In và trao bởi {official.full_name}")
        uow.commit()


def cancel_queued(ctx: Context, reason: str) -> int:
    """Cancel what is queued and not sent (the demo's made-up history is never sent)."""
    with ctx.uow() as uow:
        count = uow.notifications.cancel_due(ctx.clock.now(), reason)
        uow.commit()
    return count


def for_dossier(uow, code: str) -> list[NotificationView]:
    return [_view(r) for r in uow.notifications.for_dossier(code)]


# -- templates, edited by an administrator ------------------------------------------------------

def current_templates(ctx: Context) -> dict[str, Template]:
    with ctx.uow() as uow:
        return _in_force(uow)


def save_template(ctx: Context, key: str, *, subject: str, body: str, sms: str,
                  zns_template_id: str, official: Official) -> Template:
    """A new version of a template; rows queued before keep the version they named."""
    ensure_admin(official)
    if key not in DEFAULT_TEMPLATES:
        raise NotFound(f"Không có mẫu thông báo “{key}”.")
    subject, sms = nfc(subject), nfc(sms)
    body = "\n".join(nfc(line) if line.strip() else "" for line in body.replace("\r", "").split("\n"))
    check_template(subject, body, sms)
    with ctx.uow() as uow:
        current = _in_force(uow)[key]
        template = Template(key, current.version + 1, subject, body, sms,
                            nfc(zns_template_id) or current.zns_template_id)
        uow.notifications.add_template(template, official.full_name, ctx.clock.now())
        uow.commit()
    cache.forget(ctx, ("notification_templates",))
    return template


def template_history(ctx: Context, key: str) -> list[Any]:
    with ctx.uow() as uow:
        return uow.notifications.template_history(key)


def dossier_messages(ctx: Context, code: str) -> tuple[list[NotificationView], list[Any]]:
    """The notifications of a dossier and what the reminder rules did (the dossier page;
    the caller has checked that the official may see the dossier)."""
    from motcua.services import reminders

    with ctx.uow() as uow:
        return for_dossier(uow, code), reminders.for_dossier(uow, code)


@dataclass(frozen=True)
class CitizenNotice:
    """A message sent to the citizen about their dossier, as the tracking page lists it
    (no address: the page is reached with four digits)."""

    at: datetime
    label: str
    channel: Channel
    status: Status


def told_citizen(ctx: Context, code: str) -> list[CitizenNotice]:
    """What the citizen has been told about ``code`` (the caller checked the 4 digits)."""
    with ctx.uow() as uow:
        rows = uow.notifications.for_dossier(code)
    return [CitizenNotice(r.sent_at or r.created_at, TEMPLATE_LABELS.get(r.template, r.template),
                          Channel(r.channel), Status(r.status))
            for r in rows if r.recipient_kind == Recipient.CITIZEN.value
            and r.status not in (Status.CANCELLED.value, Status.SUPPRESSED.value)]
