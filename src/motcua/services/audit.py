"""The audit record checked end to end, and its signed checkpoints.

``verify_audit`` checks, for every dossier: its hash chain (``domain.audit.verify_chain``),
the chain's keyed seal (a chain recomputed with the public hash fails here), and the
dossier's stored state against the digest its last event recorded (a time, verdict or
appointment edited in the rows fails here); then the checkpoints: each signature and
its link to the previous one, and, for the latest checkpoint of each receiving unit,
that the dossiers it counted are all still there (a deleted dossier fails here).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from motcua.domain.audit import (
    checkpoint_digest,
    seal,
    seal_holds,
    sign_checkpoint,
    verify_chain,
)
from motcua.services.context import Context

BATCH = 500


@dataclass
class AuditReport:
    checked: int = 0
    without_state: int = 0  # dossiers whose events predate state digests (generated, old)
    checkpoints: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)
    unsealed: int = 0  # dossiers whose seal did not match

    @property
    def wrong_key_suspected(self) -> bool:
        """Every seal fails and nothing else: most likely not this installation's key."""
        return self.checked > 1 and self.unsealed == self.checked


def _prefix(code: str) -> str:
    """The receiving unit's part of a dossier code (``<prefix>-YYMMDD-NNNN``)."""
    return code.rsplit("-", 2)[0]


def _batches(ctx: Context):
    """(unit of work, its batch of chains): every dossier's chain, ``BATCH`` at a time,
    each batch in its own transaction (the caller commits what it writes)."""
    after = 0
    while True:
        with ctx.uow() as uow:
            chains = uow.audit.chains(after, BATCH)
            yield uow, chains
        if len(chains) < BATCH:
            return
        after = chains[-1][0]


def _first_events(uow, max_dossier_id: int) -> dict[str, list[tuple[int, str, str]]]:
    """(id, code, hash of the first event) of the dossiers up to an id, per receiving unit."""
    found = defaultdict(list)
    for dossier_id, code, first in uow.audit.first_events(max_dossier_id):
        found[_prefix(code)].append((dossier_id, code, first))
    return found


def verify_audit(ctx: Context) -> AuditReport:
    """Every problem found, as (dossier code or checkpoint, what is wrong, in Vietnamese)."""
    report = AuditReport()
    for uow, chains in _batches(ctx):
        for dossier_id, code, seq, head, stored_seal in chains:
            report.checked += 1
            events = list(uow.audit.events(dossier_id, code))
            problem = verify_chain(code, events, head)
            if problem is None and not seal_holds(ctx.audit_key, code, seq, head, stored_seal):
                report.unsealed += 1
                problem = ("dấu niêm phong không khớp: chuỗi nhật ký đã bị tính lại hoặc "
                           "thay bằng chuỗi khác")
            if problem is None:
                problem = _state_problem(uow, code, events, report)
            if problem:
                report.broken.append((code, problem))
    _verify_checkpoints(ctx, report)
    return report


def _state_problem(uow, code: str, events: list, report: AuditReport) -> str | None:
    recorded = next((e.data["state"] for e in reversed(events) if "state" in e.data), None)
    if recorded is None:
        report.without_state += 1
        return None
    if uow.dossiers.get(code).state_digest() != recorded:
        return ("dữ liệu hồ sơ (thời điểm, kết quả đánh giá, ngày hẹn hoặc các bước) khác với "
                "trạng thái nhật ký ghi nhận ở sự kiện cuối: đã bị sửa ngoài hệ thống")
    return None


def _verify_checkpoints(ctx: Context, report: AuditReport) -> None:
    with ctx.uow() as uow:
        rows = uow.audit.checkpoints()
        prev = ""
        latest = {}
        for row in rows:
            name = f"Mốc kiểm tra số {row.id} ({row.prefix})"
            if row.prev_signature != prev:
                report.broken.append((name, "không nối tiếp mốc trước: có mốc đã bị xóa"))
            expected = sign_checkpoint(ctx.audit_key, row.prev_signature, row.at, row.prefix,
                                       row.max_dossier_id, row.dossier_count, row.digest)
            if expected != row.signature:
                report.broken.append((name, "chữ ký của mốc không đúng: mốc đã bị sửa"))
            prev = row.signature
            latest[row.prefix] = row
        report.checkpoints = len(rows)
        if not latest:
            return
        by_prefix = _first_events(uow, max(r.max_dossier_id for r in latest.values()))
    for prefix, row in latest.items():
        counted = [(code, first) for dossier_id, code, first in by_prefix.get(prefix, [])
                   if dossier_id <= row.max_dossier_id]
        if len(counted) != row.dossier_count or checkpoint_digest(counted) != row.digest:
            report.broken.append((
                f"Mốc kiểm tra số {row.id} ({prefix})",
                f"lúc lập mốc có {row.dossier_count} hồ sơ, nay còn {len(counted)}"
                + (" và có hồ sơ đã bị thay" if len(counted) == row.dossier_count else "")
                + ": có hồ sơ bị xóa hoặc thay thế"))


def create_checkpoint(ctx: Context) -> int:
    """Sign, for every receiving unit, how many dossiers it has and a digest of them
    (``motcua audit checkpoint``, run daily); the number of checkpoints written."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        rows = uow.audit.checkpoints()
        prev = rows[-1].signature if rows else ""
        max_id = uow.audit.max_dossier_id()
        by_prefix = _first_events(uow, max_id)
        for prefix in sorted(by_prefix):
            found = [(code, first) for _, code, first in by_prefix[prefix]]
            digest = checkpoint_digest(found)
            signature = sign_checkpoint(ctx.audit_key, prev, now, prefix, max_id, len(found),
                                        digest)
            uow.audit.add_checkpoint(at=now, prefix=prefix, max_dossier_id=max_id,
                                     dossier_count=len(found), digest=digest,
                                     prev_signature=prev, signature=signature)
            prev = signature
        uow.commit()
    return len(by_prefix)


def seal_unsealed(ctx: Context) -> list[dict]:
    """Seal the chains written before seals existed, each after its chain is checked;
    a broken one is listed and left unsealed, so verify keeps reporting it."""
    left = []
    for uow, chains in _batches(ctx):
        for dossier_id, code, seq, head, stored in chains:
            if stored:
                continue
            problem = verify_chain(code, uow.audit.events(dossier_id, code), head)
            if problem:
                left.append({"code": code, "problem": problem})
            else:
                uow.audit.set_seal(dossier_id, seal(ctx.audit_key, code, seq, head))
        uow.commit()
    return left
