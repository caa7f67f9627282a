"""Every error motcua's domain raises, as one tree.

Each class has a stable ``code`` (for the API and the CLI's JSON) and carries a
message in Vietnamese, meant to be shown to the person who caused it.
"""

from __future__ import annotations


class MotcuaError(Exception):
    """Base of all domain errors; ``str(err)`` is the Vietnamese message."""

    code = "loi"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, **self.details}


class ValidationError(MotcuaError):
    """Input that breaks a rule of the domain (bad ID number, bad deadline...)."""

    code = "du_lieu_khong_hop_le"


class InvalidDeadline(ValidationError):
    """A deadline, office-hours definition or time amount that cannot be used."""

    code = "thoi_han_khong_hop_le"


class NaiveDatetimeError(ValidationError):
    """A datetime without a time zone was given where an instant is needed."""

    code = "thieu_mui_gio"


class CalendarRangeError(ValidationError):
    """A date outside the years the working calendar was built for."""

    code = "ngoai_lich_lam_viec"


class InvalidIdentity(ValidationError):
    """A personal ID number (CCCD) or tax code that fails validation."""

    code = "ma_dinh_danh_khong_hop_le"


class InvalidProcedure(ValidationError):
    """A procedure whose definition is inconsistent (e.g. steps over the deadline)."""

    code = "thu_tuc_khong_hop_le"


class IllegalTransition(MotcuaError):
    """An action that the dossier's current state does not allow."""

    code = "thao_tac_khong_hop_le"


class ReasonRequired(IllegalTransition):
    """An action that needs a written reason was given none."""

    code = "thieu_ly_do"


class NotFound(MotcuaError):
    """A dossier, unit, procedure or official that does not exist."""

    code = "khong_tim_thay"


class Conflict(MotcuaError):
    """Something already exists (a unit code, a procedure version...)."""

    code = "trung_lap"


class DuplicateSubmission(Conflict):
    """An online submission with this idempotency key was already made."""

    code = "nop_trung"


class ConcurrentUpdate(MotcuaError):
    """Another official changed the same dossier first; reload and try again."""

    code = "xung_dot_cap_nhat"


class PermissionDenied(MotcuaError):
    """The acting official lacks the role or the unit scope for the action."""

    code = "khong_co_quyen"


class TooManyAttempts(MotcuaError):
    """Too many wrong guesses (tracking digits, passwords) or filings from one client."""

    code = "qua_nhieu_lan"


class DatabaseUnavailable(MotcuaError):
    """The database could not be reached; nothing was written."""

    code = "csdl_tam_ngung"

    @staticmethod
    def logged(cause: BaseException) -> str:
        """What the log says of the driver's error: its type and first line, never the
        statement or its parameters (personal data, and a 1,500-word search would log 30
        times its size)."""
        return f"{type(cause).__name__}: {next(iter(str(cause).strip().splitlines()), '')[:200]}"


class AuditChainBroken(MotcuaError):
    """A dossier's audit events were edited, removed or reordered."""

    code = "nhat_ky_bi_sua"
