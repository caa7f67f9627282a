"""The public tracking look-up's guard and guess on the event loop (PostgreSQL).

The look-up is the busiest public request. Run in a worker thread, its one round trip
to the database makes the thread give up and wait again for the interpreter lock
behind every other busy thread; under 20 or more clients most of a request's time went
there. Here the same function (``motcua_track_guess``, migration 0017, the one
``ThrottleRepository.guess_digits`` calls) is awaited on an asyncio connection, so the
request takes no thread at all when the public view is already kept, and the look-ups
waiting at the same moment share one statement (``AsyncGuesses``).

The pool is opened and closed by the web app's lifespan, on the loop that serves the
requests; until it is open (an app served without a lifespan, SQLite), the look-up takes
the synchronous path in a thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime

import psycopg
import sqlalchemy as sa
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from motcua.domain.errors import DatabaseUnavailable
from motcua.storage import db, dossier_pg

log = logging.getLogger(__name__)

UNAVAILABLE = ("Cơ sở dữ liệu tạm thời không truy cập được; vui lòng thử lại sau ít phút.")


def conninfo(url: str) -> tuple[str, str]:
    """(libpq connection URI, session options) of a PostgreSQL database URL, with the
    engine's session settings (``db.session_options``)."""
    parsed = sa.engine.make_url(db.normalise_url(url))
    options = db.session_options(parsed)
    plain = parsed.set(drivername="postgresql").difference_update_query(["options"])
    return plain.render_as_string(hide_password=False), options


# Many look-ups at once, one statement: each row runs the same function on its own; the
# rows go in the order of their target keys, so two batches (two workers, two servers)
# take the keys' advisory locks in one order and never wait on each other in a cycle.
# The batch travels as one JSON array of rows (made by the json module's C encoder):
# a parameter per column would be dumped element by element in Python.
BATCH = dossier_pg.Statement(
    "SELECT b.n, r.outcome > 0, r.dossier_version "
    "FROM json_array_elements(%(batch)s::json) WITH ORDINALITY AS b(g, n) "
    "CROSS JOIN LATERAL motcua_track_guess(ARRAY[b.g->>0], ARRAY[b.g->>1], "
    "(b.g->>2)::timestamptz, (b.g->>3)::timestamptz, (b.g->>4)::int, b.g->>5, b.g->>6) r")
BATCH_MAX = 64


class AsyncGuesses:
    """``guess_digits`` of ``ThrottleRepository`` awaited on the event loop.

    The look-ups that arrive while a statement is on its way wait for the next one and
    go together (at most ``BATCH_MAX``); ``size`` senders, each with a connection it
    holds, send them, so at most ``size`` statements are out at once. Under load each
    round trip then serves several look-ups (what a round trip costs, on both sides, is
    most of a look-up's cost); alone, a look-up waits for nobody.
    """

    def __init__(self, url: str, size: int = 2, timeout: float = 10.0) -> None:
        self._conninfo, self._options = conninfo(url)
        self._size = size
        self._timeout = timeout  # for a connection, before the database is unavailable
        self.statements = 0  # sent so far (how many look-ups shared one, for operators)
        self._pool: AsyncConnectionPool | None = None
        self._waiting: list[tuple[tuple, asyncio.Future]] = []
        self._idle: list[asyncio.Future] = []  # senders waiting for look-ups
        self._senders: list[asyncio.Task] = []

    @property
    def ready(self) -> bool:
        return self._pool is not None

    async def open(self) -> None:
        """The pool and its senders, on the loop that serves the look-ups."""
        pool = AsyncConnectionPool(
            self._conninfo, min_size=1, max_size=self._size, open=False, timeout=self._timeout,
            # autocommit: each batch is its own transaction; prepared at first use
            kwargs={"autocommit": True, "prepare_threshold": 0, "options": self._options})
        await pool.open(wait=False)
        self._pool = pool
        loop = asyncio.get_running_loop()
        self._senders = [loop.create_task(self._sender()) for _ in range(self._size)]

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        senders, self._senders = self._senders, []
        for sender in senders:
            sender.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        for _, answer in self._waiting:  # the server stops: so do the look-ups left
            answer.cancel()
        self._waiting.clear()
        if pool is not None:
            await pool.close()

    async def guess_digits(self, target: str, client: str, since: datetime, now: datetime,
                           attempts: int, code: str, digits: str) -> tuple[bool, int | None]:
        """(allowed, version) of one look-up (one target key, one client key), as
        ``ThrottleRepository.guess_digits`` answers on PostgreSQL; ``DatabaseUnavailable``
        when the database cannot be reached."""
        assert self._pool is not None, "open() first"
        answer = asyncio.get_running_loop().create_future()
        # the row as the statement reads it (BATCH), its target key first
        self._waiting.append(((target, client, since.isoformat(), now.isoformat(), attempts,
                               code, digits), answer))
        if len(self._waiting) == 1 and self._idle:
            # the queue was empty: wake a sender (with more waiting, one is already awake,
            # or every sender is busy and takes them when its statement returns)
            self._idle.pop().set_result(None)
        return await answer

    async def _sender(self) -> None:
        """One sender, for as long as the pool is open."""
        while True:
            await self._look_ups()
            await self._send_on_one_connection()

    async def _look_ups(self) -> None:
        """Returns when look-ups wait (at once if some already do)."""
        while not self._waiting:
            woken = asyncio.get_running_loop().create_future()
            self._idle.append(woken)
            try:
                await woken
            except BaseException:
                if woken in self._idle:
                    self._idle.remove(woken)
                raise

    def _next_batch(self) -> list[tuple[tuple, asyncio.Future]]:
        batch = sorted(self._waiting[:BATCH_MAX], key=lambda w: w[0][0])
        del self._waiting[:BATCH_MAX]
        return batch

    async def _send_on_one_connection(self) -> None:
        """Batches on one connection, held while the sender lives, idle or not (taking and
        giving back a pooled connection cost about as much as a batch's statement): a
        batch that fails is answered with its error, and the next batch takes a
        connection again."""
        batch: list[tuple[tuple, asyncio.Future]] = []
        try:
            async with self._pool.connection() as conn:
                cursor = psycopg.AsyncRawCursor(conn)
                while True:
                    await self._look_ups()  # at once, unless another sender took them
                    batch = self._next_batch()
                    rows = await self._execute(cursor, [row for row, _ in batch])
                    for (_, answer), result in zip(batch, rows, strict=True):
                        if not answer.done():  # its request may have gone (a closed client)
                            answer.set_result(result)
                    batch = []
        except Exception as exc:  # every look-up of the batch hears of it
            if isinstance(exc, psycopg.OperationalError | PoolTimeout):
                log.warning("database unavailable: %s", DatabaseUnavailable.logged(exc))
                exc = DatabaseUnavailable(UNAVAILABLE)
            # no batch taken: no connection could be had, and the next batch hears so
            self._fail(batch or self._next_batch(), exc)
        except BaseException:  # cancelled (the server stops): so are its look-ups
            for _, answer in batch:
                answer.cancel()
            raise

    @staticmethod
    def _fail(batch: list[tuple[tuple, asyncio.Future]], exc: Exception) -> None:
        for _, answer in batch:
            if not answer.done():
                answer.set_exception(exc)

    async def _execute(self, cursor: psycopg.AsyncRawCursor,
                       rows: list[tuple]) -> list[tuple[bool, int | None]]:
        self.statements += 1
        await cursor.execute(BATCH.sql, BATCH.values({"batch": json.dumps(rows)}), prepare=True)
        by_row = {n: (bool(allowed), version) for n, allowed, version in await cursor.fetchall()}
        return [by_row[i + 1] for i in range(len(rows))]
