"""The public tracking look-up served on the event loop (``services.tracking.track_async``):
the same throttle and the same answers as the threaded path, look-ups arriving together
sharing one statement (``storage.guesses.AsyncGuesses``), and a clear answer when the
database cannot be reached."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from motcua.domain.commands import CompleteStep
from motcua.domain.errors import DatabaseUnavailable, NotFound, TooManyAttempts
from motcua.services import dossiers as uc
from motcua.services import tracking
from motcua.storage.guesses import AsyncGuesses
from motcua.web.app import create_app
from tests.conftest import PG_URL
from tests.personas import CITIZEN
from tests.ports import free_port

on_postgres = pytest.mark.skipif(not PG_URL.startswith("postgres"),
                                 reason="needs PostgreSQL (MOTCUA_TEST_DATABASE_URL)")


def _receive(app, world) -> str:
    return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN,
                              official=world["tiepnhan"]).code


def _failures(app) -> int:
    with app.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM throttle_events")).scalar_one()


class Worker:
    """The app as one server process sees it: its own pool for the look-up's guard."""

    def __init__(self, app, guesses: AsyncGuesses) -> None:
        self._app, self.guesses = app, guesses

    def __getattr__(self, name: str):
        return getattr(self._app, name)


@on_postgres
def test_fifty_guesses_at_once_on_two_workers_get_ten_checks_and_share_statements(app, world):
    """Two processes' pools (two workers) take 50 simultaneous wrong guesses at one dossier
    mixed with right look-ups of others, in opposite orders: 10 wrong guesses are checked,
    40 refused, every right look-up answered, fewer statements than look-ups, and no two
    batches wait on each other in a cycle (a deadlock would fail a whole batch)."""
    target = _receive(app, world)
    others = [_receive(app, world) for _ in range(6)]
    workers = [AsyncGuesses(app.settings.database_url), AsyncGuesses(app.settings.database_url)]

    async def run():
        for w in workers:
            await w.open()
        try:
            looks = []
            for i in range(50):
                worker = Worker(app, workers[i % 2])
                looks.append(asyncio.ensure_future(
                    tracking.track_async(worker, target, f"{i:04d}", f"client-{i % 5}")))
                other = others[i % 6] if i % 2 else others[-1 - i % 6]
                looks.append(asyncio.ensure_future(
                    tracking.track_async(worker, other, "5678", f"citizen-{i}")))
            return await asyncio.gather(*looks, return_exceptions=True)
        finally:
            for w in workers:
                await w.close()

    results = asyncio.run(run())
    wrong, right = results[0::2], results[1::2]
    assert sum(isinstance(r, NotFound) for r in wrong) == 10
    assert sum(isinstance(r, TooManyAttempts) for r in wrong) == 40
    assert all(r.code in others and r.applicant_name == CITIZEN["name"] for r in right)
    # both workers sent, and look-ups waiting together went together
    assert all(w.statements for w in workers) and sum(w.statements for w in workers) < 100
    assert _failures(app) == 10 * 2  # each checked failure: against the dossier and the client


@on_postgres
def test_the_api_on_the_event_loop_answers_as_the_page_does_and_sees_every_change(app, world):
    code = _receive(app, world)
    with TestClient(create_app(app, "k" * 32)) as client:  # the lifespan opens the pool
        assert app.guesses.ready
        first = client.post("/api/v1/tracking", json={"code": code.lower(), "last4": "5678"})
        assert first.status_code == 200 and first.json()["status"] == "in_progress"
        assert first.headers["cache-control"] == "private, no-store"
        sent = app.guesses.statements
        again = client.post("/api/v1/tracking", json={"code": code, "last4": "1234"})  # the ID's
        assert again.json() == first.json() and app.guesses.statements == sent + 1
        uc.act(app, code, CompleteStep(), world["tiepnhan"])
        moved = client.post("/api/v1/tracking", json={"code": code, "last4": "5678"}).json()
        assert moved["steps"][0]["finished_at"] is not None  # the kept view was not served
        wrong = client.post("/api/v1/tracking", json={"code": code, "last4": "0000"})
        assert wrong.status_code == 404
        assert wrong.json()["error"]["message"] == tracking.WRONG
    assert not app.guesses.ready  # closed with the app


@on_postgres
def test_a_dropped_connection_fails_one_batch_at_most_and_the_next_look_up_is_answered(app, world):
    """The look-ups hold their connection while they keep coming: when the database drops
    one (a restart, a failover), the batch on it hears a plain "unavailable" (503), never
    a 500, and the look-ups after it are answered on a fresh connection."""
    code = _receive(app, world)
    guesses = AsyncGuesses(app.settings.database_url)
    worker = Worker(app, guesses)

    async def look():
        try:
            return await tracking.track_async(worker, code, "5678", "citizen")
        except DatabaseUnavailable as exc:
            return exc

    async def run():
        await guesses.open()
        try:
            first = await look()
            with app.engine.connect() as conn:
                dropped = conn.execute(sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND query LIKE '%motcua_track_guess%'")).scalar_one()
            return first, dropped, [await look() for _ in range(dropped + 2)]
        finally:
            await guesses.close()

    first, dropped, after = asyncio.run(run())
    assert first.code == code and dropped >= 1
    failed = [a for a in after if isinstance(a, DatabaseUnavailable)]
    assert len(failed) <= dropped  # a dropped connection fails the one batch on it, if any
    assert after[-1].code == code


def test_a_database_that_cannot_be_reached_is_said_plainly(app):
    """No server on the port: the look-up waits a bounded time and says so in Vietnamese
    (503 through the API's error mapping), never hangs or answers 500."""
    unreachable = AsyncGuesses(f"postgresql://postgres@127.0.0.1:{free_port()}/x", timeout=1)

    async def run():
        await unreachable.open()
        try:
            app.guesses = unreachable
            await tracking.track_async(app, "X-1", "1234", "client")
        finally:
            await unreachable.close()

    with pytest.raises(DatabaseUnavailable, match="tạm thời không truy cập được"):
        asyncio.run(run())
