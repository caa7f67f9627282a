"""The worker under failure: killed in mid-batch and restarted, several workers at once;
real ``motcua worker`` processes sending to a real SMTP server (SQLite and PostgreSQL)."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest

from motcua import channels
from motcua.simulators.mailbox import MailServer, letters
from motcua.worker import Worker
from tests.outbox_rows import queue_emails, uow_rows
from tests.ports import free_port


def worker_process(app, mail, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "MOTCUA_DATABASE_URL": app.settings.database_url,
           "MOTCUA_DATA_DIR": str(app.settings.data_dir), "MOTCUA_SMTP_HOST": "127.0.0.1",
           "MOTCUA_SMTP_PORT": str(mail.port)}
    return subprocess.Popen([sys.executable, "-m", "motcua.cli.main", "worker", "--batch", "50",
                             "--lease", "5", *extra], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def outbox_ids(found) -> list[int]:
    return [int(m.message_id.strip("<>").split("@")[0].split("-")[1]) for m in found]


def test_a_worker_killed_in_mid_batch_loses_nothing_and_sends_at_most_one_twice(
        app, world, tmp_path):
    mail = MailServer(tmp_path / "mail", free_port(), delay=0.01).start()
    try:
        ids = queue_emails(app, 300)
        first = worker_process(app, mail)
        deadline = time.monotonic() + 60
        while len(letters(mail.folder)) < 60:
            assert time.monotonic() < deadline and first.poll() is None, first.stdout.read()
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # in the middle of a batch of 50
        first.wait(10)
        at_kill = len(letters(mail.folder))
        assert at_kill < 300
        left = collections.Counter(r.status for r in uow_rows(app, "loat"))
        # the killed worker's claimed batch waits for its lease (unless killed between two)
        assert left["sending"] > 0 or at_kill % 50 == 0, left
        second = worker_process(app, mail)  # takes over, and the dead one's rows after 5 s
        deadline = time.monotonic() + 90
        while any(r.status != "sent" for r in uow_rows(app, "loat")):
            assert time.monotonic() < deadline and second.poll() is None
            time.sleep(0.2)
        second.send_signal(signal.SIGTERM)  # ends after the message being sent
        assert second.wait(20) == 0, second.stdout.read()
        received = collections.Counter(outbox_ids(letters(mail.folder)))
        assert set(received) == set(ids)  # nothing lost
        assert sum(n - 1 for n in received.values()) <= 1  # only the one in flight, if any
    finally:
        mail.stop()


def test_two_workers_draining_together_send_every_message_once(app, world, tmp_path):
    mail = MailServer(tmp_path / "mail", free_port()).start()
    try:
        ids = queue_emails(app, 400 if app.engine.dialect.name == "postgresql" else 200)
        if app.engine.dialect.name == "postgresql":
            workers = [Worker(app, batch=25), Worker(app, batch=25)]
        else:  # SQLite: one writer at a time; one worker is the supported shape
            workers = [Worker(app, batch=25)]
        settings = replace(app.settings, smtp_host="127.0.0.1", smtp_port=mail.port)
        for w in workers:
            w.senders = channels.senders(settings)  # an SMTP connection of its own
        threads = [threading.Thread(target=w.drain) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        received = collections.Counter(outbox_ids(letters(mail.folder)))
        assert set(received) == set(ids) and max(received.values()) == 1
        assert {r.status for r in uow_rows(app, "loat")} == {"sent"}
        if len(workers) == 2:
            assert all(w.totals.counts["sent"] > 0 for w in workers)  # both did a share
    finally:
        mail.stop()


@pytest.mark.parametrize("signal_name", ["SIGTERM"])
def test_the_worker_process_stops_cleanly_on_a_signal(app, world, tmp_path, signal_name):
    mail = MailServer(tmp_path / "mail", free_port()).start()
    try:
        process = worker_process(app, mail)
        started = ""  # printed once the signal handlers are in place
        while "Tiến trình nền motcua: kênh gửi" not in started:
            line = process.stdout.readline()
            assert line, started  # the process ended before it started
            started = line
        assert "Thư điện tử" in started
        process.send_signal(getattr(signal, signal_name))
        assert process.wait(20) == 0
        assert "Đã dừng" in process.stdout.read()
    finally:
        mail.stop()
