"""Hash-chained audit events, one chain per dossier.

Each event's hash covers its content and the previous event's hash, so an
edited, removed or reordered event breaks the chain from that point on; the
dossier row keeps the head of its chain, so removing the last event shows too.
"""

from __future__ import annotations

import hashlib
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
