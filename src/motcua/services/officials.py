"""Official accounts and roles; passwords hashed with argon2; signed-in sessions kept in
the database, so that logging out or changing a password ends them everywhere."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from motcua.domain.errors import Conflict, ValidationError
from motcua.domain.notifications import valid_email
from motcua.domain.text import nfc
from motcua.domain.units import Official, Role
from motcua.services import throttle
from motcua.services.context import Context

_hasher = PasswordHasher()


SESSION_HOURS = 8  # a session ends 8 hours after signing in, however active


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise ValidationError("Mật khẩu phải có ít nhất 8 ký tự.")
    if len(password) > 256:
        raise ValidationError("Mật khẩu quá dài (tối đa 256 ký tự).")


def create_official(ctx: Context, *, username: str, full_name: str, password: str,
                    roles: list[tuple[str, str]] = (), email: str = "") -> Official:
    """Create an account with roles given as (unit code, role); ``email`` receives the
    official's reminders and escalations."""
    _check_password(password)
    email = _checked_email(email)
    with ctx.uow() as uow:
        if uow.officials.by_username(username) is not None:
            raise Conflict(f"Tên đăng nhập {username} đã được sử dụng.")
        official_id = uow.officials.add(ctx.settings.province_code, username, nfc(full_name),
                                        _hasher.hash(password), ctx.clock.now())
        for unit_code, role in roles:
            uow.officials.grant(official_id, uow.units.by_code(unit_code).id, Role(role))
        if email:
            uow.officials.set_email(official_id, email)
        official = uow.officials.by_id(official_id)
        uow.commit()
    return official


def _checked_email(email: str) -> str:
    email = (email or "").strip()
    if email and not valid_email(email):
        raise ValidationError(f"Địa chỉ thư điện tử “{email}” không hợp lệ.", field="email")
    return email


def set_email(ctx: Context, username: str, email: str) -> Official:
    """Where the official's reminders and escalations go (empty: nowhere)."""
    email = _checked_email(email)
    with ctx.uow() as uow:
        found = uow.officials.by_username(username)
        if found is None:
            raise ValidationError(f"Không có tài khoản {username}.")
        uow.officials.set_email(found[0].id, email)
        official = uow.officials.by_id(found[0].id)
        uow.commit()
    return official


def grant_role(ctx: Context, username: str, unit_code: str, role: str) -> Official:
    with ctx.uow() as uow:
        found = uow.officials.by_username(username)
        if found is None:
            raise ValidationError(f"Không có tài khoản {username}.")
        uow.officials.grant(found[0].id, uow.units.by_code(unit_code).id, Role(role))
        official = uow.officials.by_id(found[0].id)
        uow.commit()
    return official


def authenticate(ctx: Context, username: str, password: str) -> Official | None:
    with ctx.uow() as uow:
        return _authenticate(uow, username, password)


def sign_in(ctx: Context, username: str, password: str, client: str) -> Official | None:
    """``authenticate`` under the guessing throttle (per username and per client address,
    shared by all servers): ``TooManyAttempts`` after 10 failures in 15 minutes."""
    return throttle.guarded(
        ctx, throttle.GUESSES, targets=(f"login-user:{username.strip().lower()[:64]}",),
        clients=(f"login:{client}",),
        guess=lambda uow: _authenticate(uow, username, password),
        message="Đăng nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút.")


def _authenticate(uow, username: str, password: str) -> Official | None:
    found = uow.officials.by_username(username)
    if found is None:
        _hasher.hash(password)  # same cost whether or not the account exists
        return None
    official, digest = found
    if len(password) > 256:
        return None
    try:
        _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return None
    return official if official.active else None


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(ctx: Context, username: str, name: str) -> str:
    """A new API token for another system acting as this official; shown once, kept hashed."""
    token = "mc_" + secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        found = uow.officials.by_username(username)
        if found is None:
            raise ValidationError(f"Không có tài khoản {username}.")
        uow.tokens.add(found[0].id, nfc(name) or "Hệ thống kết nối", _token_digest(token),
                       ctx.clock.now())
        uow.commit()
    return token


def official_for_token(ctx: Context, token: str) -> Official | None:
    if not token.startswith("mc_") or len(token) > 100:
        return None
    with ctx.uow() as uow:
        official_id = uow.tokens.official_id(_token_digest(token))
        official = uow.officials.by_id(official_id) if official_id else None
    return official if official and official.active else None


def active_official(ctx: Context, official_id: int) -> Official | None:
    """The official a session names, if the account is still active."""
    with ctx.uow() as uow:
        official = uow.officials.by_id(official_id)
    return official if official.active else None


def revoke_api_tokens(ctx: Context, username: str) -> int:
    """Revoke every API token of an account (a leaked token, a system taken out of service)."""
    with ctx.uow() as uow:
        found = uow.officials.by_username(username)
        if found is None:
            raise ValidationError(f"Không có tài khoản {username}.")
        count = uow.tokens.revoke(found[0].id)
        uow.commit()
    return count


def open_session(ctx: Context, official: Official) -> str:
    """A new session for a signed-in official: its token (for the cookie), kept hashed."""
    token = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.sessions.delete_expired(now)
        uow.sessions.add(_token_digest(token), official.id, now,
                         now + timedelta(hours=SESSION_HOURS))
        uow.commit()
    return token


def session_official(ctx: Context, token: str) -> Official | None:
    """The official of a live session: not logged out, not past its 8 hours, still active."""
    if not token or len(token) > 100:
        return None
    with ctx.uow() as uow:
        official_id = uow.sessions.official_id(_token_digest(token), ctx.clock.now())
        official = uow.officials.by_id(official_id) if official_id else None
    return official if official and official.active else None


def close_session(ctx: Context, token: str) -> None:
    with ctx.uow() as uow:
        uow.sessions.delete(_token_digest(token or ""))
        uow.commit()


def set_password(ctx: Context, username: str, new_password: str) -> int:
    """Set an account's password and end all its sessions; how many were ended."""
    _check_password(new_password)
    with ctx.uow() as uow:
        found = uow.officials.by_username(username)
        if found is None:
            raise ValidationError(f"Không có tài khoản {username}.")
        uow.officials.set_password_hash(found[0].id, _hasher.hash(new_password))
        ended = uow.sessions.delete_for(found[0].id)
        uow.commit()
    return ended


def change_password(ctx: Context, official: Official, current: str, new: str,
                    repeated: str) -> None:
    """An official changes their own password; every session of theirs ends."""
    if authenticate(ctx, official.username, current) is None:
        raise ValidationError("Mật khẩu hiện tại không đúng.", fields=["current"])
    if new != repeated:
        raise ValidationError("Hai lần nhập mật khẩu mới không giống nhau.", fields=["repeat"])
    if new == current:
        raise ValidationError("Mật khẩu mới phải khác mật khẩu hiện tại.", fields=["new"])
    set_password(ctx, official.username, new)
