"""The unit of work: one transaction per use case; rolls back unless ``commit()`` is called."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from motcua.domain.errors import ConcurrentUpdate
from motcua.storage.repositories import (
    CalendarRepository,
    DossierRepository,
    OfficialRepository,
    ProcedureRepository,
    UnitRepository,
)

CONCURRENT_MESSAGE = (
    "Hồ sơ vừa được cán bộ khác cập nhật cùng lúc; thao tác của bạn chưa được ghi. "
    "Vui lòng tải lại hồ sơ và thực hiện lại."
)


class SqlUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session],
                 unit_codes: dict[int, str] | None = None) -> None:
        self.session_factory = session_factory
        self.unit_codes = unit_codes if unit_codes is not None else {}

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self.session_factory()
        self.dossiers = DossierRepository(self.session)
        self.procedures = ProcedureRepository(self.session)
        self.units = UnitRepository(self.session, self.unit_codes)
        self.officials = OfficialRepository(self.session)
        self.calendar = CalendarRepository(self.session)
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        try:
            self.session.flush()
            self.dossiers.write_events()
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise ConcurrentUpdate(CONCURRENT_MESSAGE) from exc
        except (IntegrityError, OperationalError) as exc:
            self.session.rollback()
            if _is_concurrency(exc):
                raise ConcurrentUpdate(CONCURRENT_MESSAGE) from exc
            raise

    def rollback(self) -> None:
        self.session.rollback()


def _is_concurrency(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(s in text for s in ("uq_audit_events_seq", "database is locked",
                                   "could not serialize", "deadlock"))
