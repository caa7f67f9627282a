"""Who may do what, through the API: each role x each action x own unit / other unit / no login.

The expected table is written out here (not read from the policy), so a change
of the policy that is not also a change of this table fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from motcua.domain.commands import CompleteStep, RequestCorrection, RequestSupplement
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from motcua.services.officials import create_api_token, create_official
from motcua.web.app import create_app
from tests.conftest import vn
from tests.personas import CITIZEN

ROLES = ["desk", "specialist", "head", "signer", "admin"]
SCOPES = {"own": "24175", "other": "24133"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# action -> roles that may perform it on a dossier of their own unit
ALLOWED = {
    "receive": {"desk"},
    "view": {"desk", "specialist", "head", "signer", "admin"},
    "assign": {"head", "signer"},
    "complete_step": {"desk", "specialist", "head", "signer"},
    "send_back": {"specialist", "head", "signer"},
    "request_supplement": {"desk", "specialist", "head"},
    "supplement": {"desk"},
    "refuse": {"head", "signer"},
    "stop": {"head", "signer"},
    "withdraw": {"desk"},
    "extend": {"head", "signer"},
    "return": {"desk"},
    "request_correction": {"desk", "specialist", "head", "signer"},
    "approve_correction": {"head", "signer"},
    "reject_correction": {"head", "signer"},
    "attach": {"desk", "specialist", "head", "signer"},
}


@pytest.fixture
def setup(app, world):
    tokens = {}
    for role in ROLES:
        for scope, unit in SCOPES.items():
            name = f"{role}_{scope}"
            create_official(app, username=name, full_name=f"Cán bộ {name}",
                            password="mat-khau-demo", roles=[(unit, role)])
            tokens[(role, scope)] = create_api_token(app, name, "kiểm thử")
    client = TestClient(create_app(app, "khoa-kiem-thu"), raise_server_exceptions=False)
    return client, tokens


def prepare(app, action: str) -> str:
    """A fresh dossier in a state where ``action`` is legal, so only permission decides."""
    clock = app.clock
    clock.set(vn(2026, 1, 6, 8, 0))  # each dossier starts afresh inside office hours
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN).code
    if action in ("send_back", "request_correction", "approve_correction",
                  "reject_correction"):
        clock.set(clock.now() + timedelta(minutes=30))
        uc.act(app, code, CompleteStep())
    if action in ("approve_correction", "reject_correction"):
        clock.set(clock.now() + timedelta(minutes=30))
        uc.act(app, code, RequestCorrection(target="step_finished", step_seq=1, new_value=true_finish(app, code), reason="Ghi nhận muộn", evidence="Sổ theo dõi"))
    if action == "supplement":
        uc.act(app, code, RequestSupplement(["Giấy chứng sinh"]))
    if action == "return":
        uc.act(app, code, CompleteStep())
        uc.act(app, code, CompleteStep())
        uc.act(app, code, CompleteStep())
    clock.set(clock.now() + timedelta(minutes=10))
    return code


def true_finish(app, code: str):
    """A plausible corrected finish time: halfway through step 1."""
    step = to_json(uc.get_dossier(app, code))["steps"][0]
    start, end = (datetime.fromisoformat(step[k]) for k in ("started_at", "finished_at"))
    return start + (end - start) / 2


def call(client, app, world, action: str, headers: dict):
    if action == "receive":
        return client.post("/api/v1/dossiers", headers=headers, json={
            "procedure_code": "1.001193", "unit_code": "24175", "applicant": CITIZEN})
    code = prepare(app, action)
    if action == "view":
        return client.get(f"/api/v1/dossiers/{code}", headers=headers)
    if action == "attach":
        return client.post(f"/api/v1/dossiers/{code}/attachments", headers=headers,
                           files={"files": ("to-khai.pdf", PDF, "application/pdf")})
    view = to_json(uc.get_dossier(app, code))
    due = datetime.fromisoformat(view["due"])
    body = {"expected_step": view["current_step"], "reason": "Lý do kiểm thử",
            "missing": ["Giấy chứng sinh"], "seq": 1,
            "assignee_id": world["chuyenvien"].id, "step_seq": 1, "evidence": "Sổ",
            "new_appointment": app.calendar.add(due, 16 * 3600).isoformat()}
    if action == "request_correction":
        body["new_value"] = true_finish(app, code).isoformat()
    return client.post(f"/api/v1/dossiers/{code}/actions/{action}", headers=headers, json=body)


@pytest.mark.parametrize("action", list(ALLOWED))
def test_role_by_unit_matrix(setup, app, world, action):
    client, tokens = setup
    outcomes = {}
    for (role, scope), token in tokens.items():
        response = call(client, app, world, action, {"Authorization": f"Bearer {token}"})
        outcomes[(role, scope)] = response.status_code
        allowed = scope == "own" and role in ALLOWED[action]
        if action == "receive" and role == "desk" and scope == "other":
            allowed = False  # a desk receives at its own unit only
        if allowed:
            assert response.status_code in (200, 201), (role, scope, response.json())
        else:
            assert response.status_code == 403, (role, scope, response.status_code,
                                                 response.text)
            assert response.json()["error"]["code"] == "khong_co_quyen"
    anonymous = call(client, app, world, action, {})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "can_dang_nhap"
    assert 500 not in outcomes.values()
