"""An online filing waiting for the desk (hồ sơ chờ tiếp nhận).

A filing made online is not yet a received dossier: the one-stop desk checks it first
(Decree 118/2025 art. 15) and either accepts it, and only then is the dossier received,
its code given and its clock started from the effective receipt; or refuses it with a
reason (Circular 03/2025 Form 03), and it never becomes a dossier, so it is never
counted as received or handled. Until then the citizen sees "Chờ tiếp nhận" under the
filing's reference.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from motcua.domain.documents import StoredFile
from motcua.domain.errors import Conflict, ReasonRequired
from motcua.domain.lifecycle import Actor
from motcua.domain.text import vn_date_time


class SubmissionStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {"pending": "Chờ tiếp nhận", "accepted": "Đã tiếp nhận",
                "declined": "Từ chối tiếp nhận"}[self.value]


def submission_ref(unit_code: str, day: str, seq: int) -> str:
    """``TT-<unit>-YYMMDD-NNNN``: what the citizen tracks a filing by until it is received."""
    return f"TT-{unit_code}-{day}-{seq:04d}"


@dataclass
class Submission:
    ref: str
    province_code: int
    procedure_id: int
    unit_id: int
    applicant: dict
    files: tuple[StoredFile, ...]
    slots: tuple[str, ...]  # the document of the procedure each file was filed as
    submission_key: str
    submitted_at: datetime
    status: SubmissionStatus = SubmissionStatus.PENDING
    decided_by_id: int | None = None
    decided_by_name: str = ""
    decided_at: datetime | None = None
    reason: str = ""
    dossier_code: str | None = None
    id: int | None = None
    changed: bool = field(default=False, compare=False)

    def ensure_pending(self) -> None:
        """A decision is taken once: a second one says who took the first, and when."""
        if self.status is not SubmissionStatus.PENDING:
            raise Conflict(
                f"Hồ sơ trực tuyến {self.ref} đã được xử lý "
                f"({self.status.label.lower()} lúc {vn_date_time(self.decided_at, '—')} bởi "
                f"{self.decided_by_name}).")

    def _decide(self, at: datetime, actor: Actor) -> None:
        self.ensure_pending()
        self.decided_by_id, self.decided_by_name, self.decided_at = actor.id, actor.name, at
        self.changed = True

    def accept(self, at: datetime, actor: Actor, dossier_code: str) -> None:
        """Accepted at the desk: the dossier ``dossier_code`` is received now."""
        self._decide(at, actor)
        self.status, self.dossier_code = SubmissionStatus.ACCEPTED, dossier_code

    def decline(self, at: datetime, actor: Actor, reason: str) -> None:
        """Refused at the desk, with the reason the citizen reads (Form 03)."""
        text = " ".join((reason or "").split())
        if not text:
            raise ReasonRequired("Cần ghi lý do từ chối tiếp nhận để người nộp biết và "
                                 "hoàn thiện hồ sơ.")
        self._decide(at, actor)
        self.status, self.reason = SubmissionStatus.DECLINED, text

