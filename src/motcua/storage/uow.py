"""The unit of work: one transaction per use case; rolls back unless ``commit()`` is called."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from motcua.domain.errors import ConcurrentUpdate, DuplicateSubmission
from motcua.domain.procedures import Procedure
from motcua.storage.accounts import AccountRepository
from motcua.storage.cchc import CchcRepository
from motcua.storage.digitisation import DigitisationRepository
from motcua.storage.dossier_mapper import DossierStore, Stale
from motcua.storage.feedback import FeedbackRepository
from motcua.storage.national import NationalRepository
from motcua.storage.notifications import NotificationRepository
from motcua.storage.payments import PaymentRepository
from motcua.storage.postal import PostalRepository
from motcua.storage.repositories import (
    AttachmentRepository,
    AuditRepository,
    CalendarRepository,
    DataMigrationRepository,
    DossierRepository,
    OfficialRepository,
    OutboxRepository,
    ProcedureRepository,
    SessionRepository,
    SubmissionRepository,
    ThrottleRepository,
    TokenRepository,
    UnitRepository,
)

CONCURRENT_MESSAGE = (
    "Hồ sơ vừa được cán bộ khác cập nhật cùng lúc; thao tác của bạn chưa được ghi. "
    "Vui lòng tải lại hồ sơ và thực hiện lại."
)


class SqlUnitOfWork:
    """Repositories over one connection and one transaction (SQLAlchemy Core, no ORM session)."""

    def __init__(self, engine: Engine, store: DossierStore,
                 unit_codes: dict[int, str] | None = None,
                 procedure_versions: dict[int, Procedure] | None = None) -> None:
        self.engine = engine
        self.store = store
        self.unit_codes = unit_codes if unit_codes is not None else {}
        self.procedure_versions = procedure_versions if procedure_versions is not None else {}

    def __enter__(self) -> SqlUnitOfWork:
        self.conn = self.engine.connect()
        # Begun explicitly so that commit() always reaches the driver, even when every
        # statement went to psycopg directly (storage.dossier_pg); SQLAlchemy would
        # otherwise have nothing to commit and the pool would roll the work back.
        self.conn.begin()
        # PostgreSQL: reads outside a transaction, which the first write begins
        self.store.begin(self.conn)
        self.procedures = ProcedureRepository(self.conn, self.procedure_versions)
        self.dossiers = DossierRepository(self.conn, self.store, self.procedures)
        self.units = UnitRepository(self.conn, self.unit_codes)
        self.officials = OfficialRepository(self.conn)
        self.calendar = CalendarRepository(self.conn)
        self.attachments = AttachmentRepository(self.conn)
        self.tokens = TokenRepository(self.conn)
        self.cchc = CchcRepository(self.conn)
        self.outbox = OutboxRepository(self.conn)
        self.data_migrations = DataMigrationRepository(self.conn)
        self.audit = AuditRepository(self.conn)
        self.sessions = SessionRepository(self.conn)
        self.throttle = ThrottleRepository(self.conn)
        self.submissions = SubmissionRepository(self.conn)
        self.notifications = NotificationRepository(self.conn)
        self.postal = PostalRepository(self.conn)
        self.national = NationalRepository(self.conn)
        self.digitisation = DigitisationRepository(self.conn)
        self.accounts = AccountRepository(self.conn)
        self.payments = PaymentRepository(self.conn)
        self.feedback = FeedbackRepository(self.conn)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.conn.rollback()
        finally:
            self.conn.close()

    def commit(self) -> None:
        try:
            if self.attachments.pending or self.outbox.pending or self.notifications.pending:
                self.store.write_follows(self.conn)  # the dossier save must not commit alone
            self.dossiers.save()
            self.attachments.save()
            self.outbox.save()
            self.notifications.save()
            self.conn.commit()
        except DBAPIError as exc:
            self.conn.rollback()
            if self.store.stale(exc):
                raise ConcurrentUpdate(CONCURRENT_MESSAGE) from exc
            if "submission_key" in str(exc):
                raise DuplicateSubmission("Hồ sơ trực tuyến này đã được gửi.") from exc
            raise
        except Stale as exc:
            self.conn.rollback()
            raise ConcurrentUpdate(CONCURRENT_MESSAGE) from exc

    def rebuild_stats(self) -> None:
        """Recompute every report counter from the dossiers, in this transaction."""
        from motcua.storage import stats

        stats.rebuild(self.conn)

    def rollback(self) -> None:
        self.conn.rollback()
