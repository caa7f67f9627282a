"""What a citizen sees of a dossier without an account: its code plus 4 digits of the
ID number or phone (DOMAIN.md, problem 3), and the receipt after an online filing.

The look-up is the busiest public request. Its guard and its guess are one statement on
PostgreSQL (``uow.throttle.guess_digits``), which answers the dossier's version; the
public view built from the dossier is kept by this process under that version, so a
repeated look-up of an unchanged dossier reads nothing more, and any change to the
dossier (every change bumps its version) shows at the next look-up. Unit names in a kept
view are at most ``VIEW_SECONDS`` old. Served on the event loop (``track_async``), the
statement is awaited there and a kept view takes no worker thread.
"""

from __future__ import annotations

from datetime import timedelta

import anyio

from motcua.domain.commands import Attach
from motcua.domain.documents import AttachmentKind, Upload
from motcua.domain.errors import (
    IllegalTransition,
    NotFound,
    TooManyAttempts,
    ValidationError,
)
from motcua.domain.identity import last4_matches
from motcua.domain.lifecycle import Actor, Status
from motcua.services import cache, submissions, throttle
from motcua.services.context import Context
from motcua.services.dossiers import act
from motcua.services.submissions import SubmissionView
from motcua.services.views import PublicView, public_view


def _public(ctx: Context, uow, dossier) -> PublicView:
    return public_view(uow, dossier, f"{ctx.settings.public_url}/tra-cuu?ma={dossier.code}")


VIEW_SECONDS = 300.0
WRONG = "Mã hồ sơ hoặc 4 số cuối (số định danh hoặc điện thoại) không đúng."


def _keys(code: str, client: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The throttle's keys of a look-up: (targets, clients)."""
    return (f"track-code:{code}",), (f"track:{client}",)


def _plain(code: str, last4: str) -> tuple[str, str]:
    return (code or "").strip().upper()[:64], (last4 or "").strip()


def track(ctx: Context, code: str, last4: str, client: str) -> PublicView | SubmissionView:
    """The public view of a dossier for whoever knows its code and the last 4 digits of
    the applicant's ID number or phone; one message for every wrong guess. Guesses are
    throttled per dossier code and per ``client`` (its address), across all servers."""
    code, digits = _plain(code, last4)
    targets, clients = _keys(code, client)
    if code.startswith("TT-"):  # an online filing not yet received
        return throttle.guarded(ctx, throttle.GUESSES, targets=targets, clients=clients,
                                guess=lambda uow: _submission(uow, code, digits))
    limit = throttle.GUESSES
    now = ctx.clock.now()
    with ctx.uow() as uow:
        allowed, version = uow.throttle.guess_digits(
            targets, clients, now - timedelta(seconds=limit.window_s), now, limit.attempts,
            code, digits)
        uow.commit()
    return _answer(ctx, code, digits, allowed, version)


async def track_async(ctx: Context, code: str, last4: str,
                      client: str) -> PublicView | SubmissionView:
    """``track`` for a request served on the event loop: the guard and guess awaited
    there (``ctx.guesses``) and the kept view answered without a thread; the rest (a
    view to build, an online filing, no asyncio pool) runs ``track``'s code in a
    worker thread."""
    code, digits = _plain(code, last4)
    guesses = ctx.guesses
    if guesses is None or not guesses.ready or code.startswith("TT-"):
        return await anyio.to_thread.run_sync(track, ctx, code, digits, client)
    (target,), (client_key,) = _keys(code, client)
    limit = throttle.GUESSES
    now = ctx.clock.now()
    allowed, version = await guesses.guess_digits(
        target, client_key, now - timedelta(seconds=limit.window_s), now, limit.attempts,
        code, digits)
    _refused(allowed, version)  # on the loop: a refusal needs no thread
    kept = cache.held(ctx, ("public view", code), version, VIEW_SECONDS)
    if kept is not None:
        return kept
    return await anyio.to_thread.run_sync(_answer, ctx, code, digits, allowed, version)


def _refused(allowed: bool, version: int | None) -> None:
    """Raises what the guard's and the guess's answer refuse."""
    if not allowed:
        raise TooManyAttempts(throttle.TOO_MANY_GUESSES)
    if version is None:
        raise NotFound(WRONG)


def _answer(ctx: Context, code: str, digits: str, allowed: bool,
            version: int | None) -> PublicView:
    """The public view after the guard's and the guess's answer."""
    _refused(allowed, version)
    return cache.kept_at(ctx, ("public view", code), version,
                         lambda: _fresh_view(ctx, code, digits), VIEW_SECONDS)


def _submission(uow, code: str, digits: str) -> SubmissionView:
    found = submissions.tracked(uow, code, digits)
    if found is None:
        raise NotFound(WRONG)
    return found


def _fresh_view(ctx: Context, code: str, digits: str) -> tuple[int, PublicView]:
    """(version, public view) of the dossier as it is now."""
    with ctx.uow() as uow:
        try:
            dossier = uow.dossiers.get(code, corrections=False)
        except NotFound:
            raise NotFound(WRONG) from None
        if not last4_matches(digits, dossier.applicant_id_number, dossier.applicant_phone):
            raise NotFound(WRONG)  # changed since the guess: the applicant's numbers too
        return dossier.version, _public(ctx, uow, dossier)


def _still_awaited(uow, dossier, command) -> None:
    if dossier.status is not Status.AWAITING_SUPPLEMENT:
        raise IllegalTransition("Hồ sơ này không còn chờ bổ sung.")


def supplement_online(ctx: Context, code: str, last4: str, client: str,
                      uploads: list[Upload]) -> None:
    """The applicant sends the missing documents online, with the code and the last 4
    digits; they are attached as a supplement, and the dossier waits for the desk to
    confirm the supplement (which ends the pause then)."""
    view = track(ctx, code, last4, client)
    if isinstance(view, SubmissionView) or view.status is not Status.AWAITING_SUPPLEMENT:
        raise IllegalTransition("Hồ sơ này không đang chờ bổ sung.")
    if not uploads:
        raise ValidationError("Chưa chọn tệp nào để gửi bổ sung.")
    unknown = [u.filename for u in uploads if u.name not in view.missing]
    if unknown:
        raise ValidationError("Tệp không gắn với giấy tờ nào cần bổ sung: " + ", ".join(unknown))
    actor = Actor(None, f"{view.applicant_name} (bổ sung trực tuyến)")
    act(ctx, view.code, Attach(AttachmentKind.SUPPLEMENT.value, tuple(uploads)), actor=actor,
        check=_still_awaited)
