"""Email over SMTP: a plain-text and an HTML part, the Vietnamese subject and names
encoded as RFC 2047 asks, the outbox id as the Message-ID (a receiving system can drop a
second copy sent after a crash).

The message is built with ``email.mime`` and ``email.header.Header``: the newer
``EmailMessage`` folds a long Vietnamese subject between two encoded words at a space and
the space is lost when read ("nguy cơtrễ hẹn"); ``Header`` keeps spaces inside the words.
"""

from __future__ import annotations

import smtplib
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

from motcua.services.notifications import Outgoing, Sent
from motcua.services.outbox import PermanentFailure, TransientFailure
from motcua.settings import Settings


class EmailSender:
    """One SMTP connection kept open between messages, opened again when it drops."""

    def __init__(self, host: str, port: int, sender: str, *, user: str = "",
                 password: str = "", starttls: bool = False, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout
        self.domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        self.smtp: smtplib.SMTP | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailSender:
        return cls(settings.smtp_host, settings.smtp_port, settings.mail_from,
                   user=settings.smtp_user, password=settings.smtp_password,
                   starttls=settings.smtp_starttls)

    def message(self, m: Outgoing) -> MIMEMultipart:
        msg = MIMEMultipart("alternative")
        msg["Subject"] = Header(m.rendered.subject, "utf-8")
        msg["From"] = formataddr(parseaddr(self.sender), charset="utf-8")
        msg["To"] = formataddr((m.recipient_name, m.to), charset="utf-8")
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = f"<{m.idempotency_key}@{self.domain}>"
        msg["X-Motcua-Outbox-Id"] = str(m.id)
        msg.attach(MIMEText(m.rendered.text, "plain", "utf-8"))
        msg.attach(MIMEText(m.rendered.html, "html", "utf-8"))
        return msg

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            self.smtp = smtp
        return self.smtp

    def send(self, m: Outgoing) -> Sent:
        msg = self.message(m)
        try:
            try:
                self._connection().send_message(msg)
            except smtplib.SMTPServerDisconnected:
                self.close()  # an idle connection the server closed: one new attempt
                self._connection().send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            self._judge(min(code for code, _ in exc.recipients.values()), str(exc.recipients))
        except smtplib.SMTPResponseException as exc:
            self._judge(exc.smtp_code, exc.smtp_error.decode(errors="replace"))
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransientFailure(f"Máy chủ thư {self.host}:{self.port} không trả lời: {exc}") \
                from exc
        return Sent(msg["Message-ID"].strip("<>"))

    def _judge(self, code: int, text: str) -> None:
        if code >= 500:
            raise PermanentFailure(f"Máy chủ thư từ chối ({code}): {text}")
        self.close()
        raise TransientFailure(f"Máy chủ thư tạm từ chối ({code}): {text}")

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None
