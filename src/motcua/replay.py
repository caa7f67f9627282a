"""Scenario replay: apply JSONL actions through the real use cases with the clock set per line.

Used in tests and to explain a verdict to an official. The format is documented
in docs/replay.md.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from motcua.domain import commands
from motcua.domain.calendar import VN_TZ
from motcua.domain.clock import FixedClock
from motcua.domain.errors import MotcuaError
from motcua.domain.lifecycle import APPLICANT, TRANSITIONS, Action
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from motcua.services.officials import create_official
from motcua.services.procedures import procedure_from_dict, save_procedures
from motcua.services.units import create_unit
from motcua.settings import Settings

DEFAULT_APPLICANT = {"kind": "person", "id_number": "001090000001",
                     "name": "Người nộp theo kịch bản", "phone": "0912345678"}
OUTPUT_KEYS = ("code", "status", "received_at", "effective_receipt", "appointment_at_receipt",
               "due", "appointment", "paused_minutes", "result_ready_at", "returned_at",
               "timeliness", "supplement_requests", "extended", "appointment_history",
               "paid_online", "satisfaction")
STEP_KEYS = ("name", "unit", "planned_deadline", "started_at", "finished_at",
             "allocated_minutes", "worked_minutes", "overran", "behind_schedule")


# The actions a scenario line may name: those officials perform, the applicant's rating
# and a payment record.
SCENARIO_ACTIONS = frozenset(t.action.value for t in TRANSITIONS
                             if t.command and (t.by_official or t.action in (Action.RATE,
                                                                            Action.PAY))
                             and t.action not in (Action.ASSIGN, Action.ATTACH))


class ReplayError(MotcuaError):
    """A scenario line that cannot be applied."""

    code = "kich_ban_loi"


def _at(text: str, line: int) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise ReplayError(f"Dòng {line}: 'at' không phải thời điểm ISO-8601.", line=line) from exc
    return value if value.tzinfo else value.replace(tzinfo=VN_TZ)


def load_catalog(app, catalog: dict) -> None:
    for unit in catalog.get("units", []):
        create_unit(app, code=unit["code"], name=unit["name"], kind=unit.get("kind", "department"))
    procedures = []
    for item in catalog.get("procedures", []):
        item = {"channels": ["desk", "online", "postal"], **item}
        procedures.append(procedure_from_dict(item))
    save_procedures(app, procedures)


def run_replay(catalog_path: Path, scenario_path: Path, database: str | None = None,
               ) -> Iterator[dict]:
    """Yield one JSON-ready object per dossier, in the order they were first named."""
    try:
        catalog = json.loads(catalog_path.read_text("utf-8"))
        lines = scenario_path.read_text("utf-8").splitlines()
    except (OSError, json.JSONDecodeError) as exc:
        raise ReplayError(f"Không đọc được tệp: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="motcua-replay-") as tmp:
        url = database or f"sqlite:///{tmp}/replay.sqlite3"
        yield from _run(catalog, lines, url)


def _run(catalog: dict, lines: list[str], url: str) -> Iterator[dict]:
    from motcua.bootstrap import build

    clock = FixedClock(datetime(2000, 1, 1, tzinfo=VN_TZ))
    app = build(Settings().with_database(url), clock=clock)
    try:
        refs: dict[str, str] = {}
        parsed = []
        for number, text in enumerate(lines, start=1):
            if text.strip():
                try:
                    parsed.append((number, json.loads(text)))
                except json.JSONDecodeError as exc:
                    raise ReplayError(f"Dòng {number}: không phải JSON ({exc.msg}).",
                                      line=number) from exc
        if parsed:
            clock.set(_at(parsed[0][1].get("at"), parsed[0][0]))
        load_catalog(app, catalog)
        operator = create_official(app, username="kich-ban", full_name="Cán bộ theo kịch bản",
                                   password="kich-ban-khong-dang-nhap")
        for number, line in parsed:
            clock.set(_at(line.get("at"), number))
            try:
                _apply(app, line, refs, operator.id)
            except ReplayError:
                raise
            except MotcuaError as exc:
                raise ReplayError(f"Dòng {number} ({line.get('action')}): {exc.message}",
                                  line=number, action=line.get("action"), cause=exc.code) from exc
            except (KeyError, TypeError, ValueError) as exc:
                raise ReplayError(f"Dòng {number}: thiếu hoặc sai trường ({exc}).",
                                  line=number) from exc
        for ref, code in refs.items():
            view = to_json(uc.get_dossier(app, code))
            out = {"ref": ref, **{k: view[k] for k in OUTPUT_KEYS}}
            out["steps"] = [{k: s[k] for k in STEP_KEYS} for s in view["steps"]]
            yield out
    finally:
        app.close()


def _apply(app, line: dict, refs: dict[str, str], operator_id: int) -> None:
    action = line["action"]
    ref = str(line["dossier"])
    if action == "receive":
        if ref in refs:
            raise ReplayError(f"Hồ sơ {ref} đã được tiếp nhận.")
        procedure = line["procedure"]
        unit = line.get("unit") or _procedure_unit(app, procedure)
        channel = line.get("channel", "desk")
        view = uc.receive_dossier(app, procedure_code=procedure, unit_code=unit,
                                  channel=channel, applicant=line.get("applicant", DEFAULT_APPLICANT),
                                  filed_by_id=operator_id if channel == "assisted" else None)
        refs[ref] = view.code
        return
    if ref not in refs:
        raise ReplayError(f"Hồ sơ {ref} chưa được tiếp nhận.")
    if action not in SCENARIO_ACTIONS:
        raise ReplayError(f"Thao tác không được hỗ trợ trong kịch bản: {action!r}.")
    # a scenario line carries the command's fields by name (docs/replay.md)
    uc.act(app, refs[ref], commands.parse(action, line),
           actor=APPLICANT if action == Action.RATE else None)


def _procedure_unit(app, code: str) -> str:
    with app.uow() as uow:
        procedure = uow.procedures.current(code, app.settings.province_code)
    if not procedure.unit_code:
        raise ReplayError(f"Thủ tục {code} không có đơn vị; dòng 'receive' cần trường 'unit'.")
    return procedure.unit_code
