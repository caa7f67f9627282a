"""Adapters to the messaging providers, one module per channel, each a ``Sender``
(``services.notifications``): email over SMTP, SMS brandname and Zalo ZNS over HTTP.

``senders(settings)`` builds those the settings configure; a channel without its URL or
host is left out, and the relay treats its rows as not sendable (the next channel).
"""

from __future__ import annotations

from motcua.domain.notifications import Channel
from motcua.services.notifications import Sender
from motcua.settings import Settings


def senders(settings: Settings) -> dict[Channel, Sender]:
    found: dict[Channel, Sender] = {}
    if settings.smtp_host:
        from motcua.channels.email import EmailSender

        found[Channel.EMAIL] = EmailSender.from_settings(settings)
    if settings.sms_url:
        from motcua.channels.sms import SmsSender

        found[Channel.SMS] = SmsSender.from_settings(settings)
    if settings.zns_url:
        from motcua.channels.zns import ZnsSender

        found[Channel.ZNS] = ZnsSender.from_settings(settings)
    return found


def close(found: dict[Channel, Sender]) -> None:
    for sender in found.values():
        closer = getattr(sender, "close", None)
        if closer is not None:
            closer()
