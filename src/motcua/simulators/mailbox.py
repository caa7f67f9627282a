"""A real SMTP server (aiosmtpd) that keeps every message it accepts in a Maildir, for the
demo (``/hop-thu-thu-nghiem`` shows them) and the tests (they read what arrived)."""

from __future__ import annotations

import asyncio
import mailbox
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope


class _Keep:
    def __init__(self, folder: Path, delay: float = 0.0) -> None:
        self.box = mailbox.Maildir(folder, create=True)
        self.delay = delay

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server (the tests' crash in mid-batch)
        self.box.add(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class MailServer:
    """``start()`` listens on 127.0.0.1:``port``; ``stop()`` closes (the tests use it to
    play an SMTP server that is down for a while)."""

    def __init__(self, folder: Path, port: int, host: str = "127.0.0.1",
                 delay: float = 0.0) -> None:
        self.folder, self.port, self.host, self.delay = Path(folder), port, host, delay
        self.controller: Controller | None = None

    def start(self) -> MailServer:
        self.controller = Controller(_Keep(self.folder, self.delay), hostname=self.host,
                                     port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass(frozen=True)
class Letter:
    key: str
    message_id: str
    sender: str
    to: str
    subject: str
    date: datetime | None
    text: str
    html: str


def letters(folder: Path, limit: int | None = None) -> list[Letter]:
    """What arrived, newest first."""
    box = mailbox.Maildir(folder, create=True)
    found = []
    for key in box.keys():
        with box.get_file(key) as f:
            msg = message_from_bytes(f.read(), policy=default)
        text = msg.get_body(("plain",))
        page = msg.get_body(("html",))
        when = parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
        found.append(Letter(key, str(msg["Message-ID"] or ""), str(msg["From"] or ""),
                            str(msg["To"] or ""), str(make_header(decode_header(
                                str(msg["Subject"] or "")))),
                            when, text.get_content() if text else "",
                            page.get_content() if page else ""))
    found.sort(key=lambda letter: (letter.date is None, letter.date), reverse=True)
    return found[:limit] if limit else found
