"""Builds the engine, unit-of-work factory, calendar and clock from Settings.

Nothing is built at import time: callers (CLI, web app, tests) call ``build``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua import keys
from motcua.calendar_sources import build_calendar
from motcua.domain.calendar import OfficeHours, WorkingCalendar
from motcua.domain.clock import SystemClock
from motcua.domain.procedures import Procedure
from motcua.services import national_sync, notifications, postal
from motcua.services.events import EventHandlers
from motcua.settings import Settings
from motcua.storage import db
from motcua.storage.dossier_mapper import store_for
from motcua.storage.files import FileStore
from motcua.storage.guesses import AsyncGuesses
from motcua.storage.uow import SqlUnitOfWork


@dataclass
class App:
    settings: Settings
    engine: Engine
    calendar: WorkingCalendar
    clock: object = field(default_factory=SystemClock)

    def __post_init__(self) -> None:
        # What never changes once written, shared by every unit of work of this app.
        self.unit_codes: dict[int, str] = {}
        self.procedure_versions: dict[int, Procedure] = {}
        self.files = FileStore(self.settings.files_dir)
        self.audit_key = keys.secret(self.settings.audit_key_path).encode()
        # the dossier storage boundary of this database
        self.store = store_for(self.engine, self.audit_key)
        self.events = EventHandlers()
        notifications.register(self.events)
        postal.register(self.events)
        if self.settings.dvcqg_url:  # the national portal hears of every change
            national_sync.register(self.events)
        self.catalogue_cache: dict = {}
        # the public look-up's guard on the event loop (opened by the web app's lifespan)
        self.guesses = (AsyncGuesses(self.settings.database_url)
                        if self.engine.dialect.name == "postgresql" else None)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.store, self.unit_codes, self.procedure_versions)

    def reload_calendar(self) -> None:
        self.calendar = make_calendar(self.settings, self.engine)

    def close(self) -> None:
        self.engine.dispose()


def make_calendar(settings: Settings, engine: Engine | None = None) -> WorkingCalendar:
    overrides = []
    if engine is not None and sa.inspect(engine).has_table("calendar_overrides"):
        from motcua.storage.repositories import CalendarRepository

        with engine.connect() as conn:
            overrides = CalendarRepository(conn).overrides(settings.province_code)
    return build_calendar(overrides, OfficeHours.parse(settings.office_hours),
                          settings.calendar_first_year, settings.calendar_last_year)


def calendar_for(settings: Settings) -> WorkingCalendar:
    """The working calendar with the administrator's overrides when the database exists
    (calendar commands need no database)."""
    url = sa.engine.make_url(db.normalise_url(settings.database_url))
    exists = not url.drivername.startswith("sqlite") or bool(
        url.database and Path(url.database).exists())
    return make_calendar(settings, db.make_engine(settings.database_url) if exists else None)


def rebuild_stats(app: App) -> None:
    """Recompute every report counter from the dossiers (``motcua db rebuild-stats``)."""
    with app.uow() as uow:
        uow.rebuild_stats()
        uow.commit()


def build(settings: Settings | None = None, *, migrate: bool = True, clock=None) -> App:
    settings = settings or Settings()
    if migrate:
        db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    app = App(settings, engine, make_calendar(settings, engine))
    if clock is not None:
        app.clock = clock
    if migrate:
        from motcua.services.data_migrations import run_pending

        app.data_migrations_run = run_pending(app)
    return app
