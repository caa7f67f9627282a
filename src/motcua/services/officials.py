"""Official accounts and roles; passwords hashed with argon2."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from motcua.domain.errors import Conflict, ValidationError
from motcua.domain.text import nfc
from motcua.domain.units import Official, Role
from motcua.services.context import Context

_hasher = PasswordHasher()


def create_official(ctx: Context, *, username: str, full_name: str, password: str,
                    roles: list[tuple[str, str]] = ()) -> Official:
    """Create an account with roles given as (unit code, role)."""
    if len(password) < 8:
        raise ValidationError("Mật khẩu phải có ít nhất 8 ký tự.")
    with ctx.uow() as uow:
        if uow.officials.by_username(username) is not None:
            raise Conflict(f"Tên đăng nhập {username} đã được sử dụng.")
        official_id = uow.officials.add(ctx.settings.province_code, username, nfc(full_name),
                                        _hasher.hash(password), ctx.clock.now())
        for unit_code, role in roles:
            uow.officials.grant(official_id, uow.units.by_code(unit_code).id, Role(role))
        official = uow.officials.by_id(official_id)
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
        found = uow.officials.by_username(username)
    if found is None:
        _hasher.hash(password)  # same cost whether or not the account exists
        return None
    official, digest = found
    try:
        _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return None
    return official if official.active else None
