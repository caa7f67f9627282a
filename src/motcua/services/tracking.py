"""What a citizen sees of a dossier without an account: its code plus 4 digits of the
ID number or phone (DOMAIN.md, problem 3), and the receipt after an online filing."""

from __future__ import annotations

from motcua.domain.commands import Attach
from motcua.domain.documents import AttachmentKind, Upload
from motcua.domain.errors import IllegalTransition, NotFound, ValidationError
from motcua.domain.lifecycle import Actor, Status
from motcua.services import submissions, throttle
from motcua.services.context import Context
from motcua.services.dossiers import act
from motcua.services.submissions import SubmissionView
from motcua.services.views import PublicView, public_view


def _public(ctx: Context, uow, dossier) -> PublicView:
    return public_view(uow, dossier, f"{ctx.settings.public_url}/tra-cuu?ma={dossier.code}")


def track(ctx: Context, code: str, last4: str, client: str) -> PublicView | SubmissionView:
    """The public view of a dossier for whoever knows its code and the last 4 digits of
    the applicant's ID number or phone; one message for every wrong guess. Guesses are
    throttled per dossier code and per ``client`` (its address), across all servers."""
    return throttle.guarded(
        ctx, throttle.GUESSES, targets=(f"track-code:{(code or '').strip().upper()[:64]}",),
        clients=(f"track:{client}",), guess=lambda uow: _track(ctx, uow, code, last4))


def _track(ctx: Context, uow, code: str, last4: str) -> PublicView | SubmissionView:
    wrong = NotFound("Mã hồ sơ hoặc 4 số cuối (số định danh hoặc điện thoại) không đúng.")
    digits = (last4 or "").strip()
    if (code or "").strip().upper().startswith("TT-"):  # an online filing not yet received
        found = submissions.tracked(uow, code, digits)
        if found is None:
            raise wrong
        return found
    try:
        dossier = uow.dossiers.get(code, corrections=False)
    except NotFound:
        raise wrong from None
    held = {dossier.applicant_id_number[-4:], dossier.applicant_phone[-4:]} - {""}
    if len(digits) != 4 or digits not in held:
        raise wrong
    return _public(ctx, uow, dossier)


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
