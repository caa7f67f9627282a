"""Hash-chained audit events, one chain per dossier.

Each event's hash covers its content and the previous event's hash, so an
edited, removed or reordered event breaks the chain from that point on; the
dossier row keeps the head of its chain, so removing the last event shows too.

The hash is public: whoever can write to the database could recompute a whole chain.
What they cannot make is the *seal*, an HMAC of the head with the installation's audit
key, which is kept outside the database (``seal``); nor a *checkpoint*'s signature,
which fixes how many dossiers each receiving unit had (``sign_checkpoint``), so a
deleted dossier shows. Each event also carries the digest of the dossier's recorded
state after it (``Dossier.state_digest``), so a time or verdict edited in the rows,
without an event, shows against the last event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class AuditEvent:
    dossier_code: str
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    data: dict
    prev_hash: str
    hash: str


def _payload(dossier_code: str, seq: int, at: datetime, actor_id: int | None, actor_name: str,
             action: str, data: dict) -> str:
    return json.dumps(
        {"dossier": dossier_code, "seq": seq, "at": at.astimezone(UTC).isoformat(),
         "actor_id": actor_id, "actor": actor_name, "action": action, "data": data},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )


def event_hash(prev_hash: str, dossier_code: str, seq: int, at: datetime, actor_id: int | None,
               actor_name: str, action: str, data: dict) -> str:
    text = prev_hash + _payload(dossier_code, seq, at, actor_id, actor_name, action, data)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_event(dossier_code: str, seq: int, at: datetime, actor_id: int | None, actor_name: str,
                action: str, data: dict, prev_hash: str) -> AuditEvent:
    digest = event_hash(prev_hash, dossier_code, seq, at, actor_id, actor_name, action, data)
    return AuditEvent(dossier_code, seq, at, actor_id, actor_name, action, data, prev_hash, digest)


def verify_chain(dossier_code: str, events: Iterable[AuditEvent], head: str) -> str | None:
    """Return None when the chain is intact, else a Vietnamese description of the break."""
    prev = ""
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return f"sự kiện số {expected_seq} bị xóa hoặc sai thứ tự (gặp số {event.seq})"
        if event.prev_hash != prev:
            return f"sự kiện số {event.seq} không nối tiếp sự kiện trước (bị xóa hoặc đảo thứ tự)"
        digest = event_hash(prev, dossier_code, event.seq, event.at, event.actor_id,
                            event.actor_name, event.action, event.data)
        if digest != event.hash:
            return f"sự kiện số {event.seq} ({event.action}) đã bị sửa nội dung"
        prev = event.hash
        expected_seq += 1
    if prev != head:
        return "sự kiện cuối cùng bị xóa (đầu chuỗi lưu trên hồ sơ không khớp)"
    return None


def seal(key: bytes, dossier_code: str, seq: int, head: str) -> str:
    """The keyed seal of a dossier's chain: HMAC-SHA-256 of its code, length and head."""
    return hmac.new(key, f"{dossier_code}|{seq}|{head}".encode(), hashlib.sha256).hexdigest()


def seal_holds(key: bytes, dossier_code: str, seq: int, head: str, stored: str) -> bool:
    return hmac.compare_digest(seal(key, dossier_code, seq, head), stored or "")


def checkpoint_digest(first_events: Iterable[tuple[str, str]]) -> str:
    """SHA-256 over (code, hash of the first event) of every dossier, ordered by code."""
    h = hashlib.sha256()
    for code, first_hash in sorted(first_events):
        h.update(f"{code}:{first_hash}\n".encode())
    return h.hexdigest()


def sign_checkpoint(key: bytes, prev_signature: str, at: datetime, prefix: str,
                    max_dossier_id: int, dossier_count: int, digest: str) -> str:
    text = (f"{prev_signature}|{at.astimezone(UTC).isoformat()}|{prefix}|{max_dossier_id}|"
            f"{dossier_count}|{digest}")
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
