"""The population database's look-up at the desk, over real sockets with its simulator:
a match fills the address, a mismatch or an outage asks the officer to check the paper ID
and never blocks the receipt, every look-up is recorded and counts in Decision 766 6.6
and 6.7 (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import httpx

from motcua.reports import make_report
from motcua.reports.core import Period
from motcua.services import population
from motcua.simulators.population import PopulationSimulator, settings_for
from motcua.simulators.providers import Served
from motcua.web.app import create_app
from tests.conftest import vn
from tests.e2e.test_notifications_web import signed_in
from tests.e2e.test_web import form_tokens
from tests.personas import CITIZEN
from tests.ports import free_port


def test_the_desk_checks_the_applicant_in_the_population_database(app, world):
    sim = PopulationSimulator()
    sim.people[CITIZEN["id_number"]] = {"HoVaTen": CITIZEN["name"], "NamSinh": 1990,
                                        "NoiOHienTai": "Thôn 3, xã Hòa Phú, tỉnh Đắk Lắk"}
    registry = Served(sim.app(), free_port()).start()
    app.settings = replace(app.settings, **settings_for(sim, registry.url))
    web = Served(create_app(app, "khoa-dan-cu"), free_port()).start()
    try:
        desk, _ = signed_in(web.url, "tiepnhan")
        form = desk.get("/tiep-nhan", params={"thu_tuc": "1.001193"}).text
        assert "Cơ sở dữ liệu quốc gia về dân cư" in form
        fields = {"procedure_code": "1.001193", "unit_code": "24175", "channel": "desk",
                  "kind": "person", "name": "pham thi cong dan", "id_number": CITIZEN["id_number"],
                  "birth_year": "1990", "phone": CITIZEN["phone"], "payment_method": "cash"}
        done = desk.post("/tiep-nhan", data={**fields, **form_tokens(form)},
                         follow_redirects=True)
        assert "Đã tiếp nhận hồ sơ" in done.text
        assert "Khớp với Cơ sở dữ liệu quốc gia về dân cư; địa chỉ lấy từ" in done.text
        code = done.url.path.rsplit("/", 1)[-1]
        with app.uow() as uow:
            assert uow.dossiers.get(code).applicant_address.startswith("Thôn 3, xã Hòa Phú")
        # another name: the officer is asked to check the paper ID, then receives
        wrong = desk.post("/tiep-nhan", data={**fields, "name": "Phạm Thị Khác",
                                              **form_tokens(form)})
        assert wrong.status_code == 422 and "không khớp" in wrong.text
        assert "Đã kiểm tra giấy tờ tùy thân bản gốc" in wrong.text
        checked = desk.post("/tiep-nhan", data={**fields, "name": "Phạm Thị Khác",
                                                "kiem_tra_giay_to": "1",
                                                **form_tokens(wrong.text)},
                            follow_redirects=True)
        assert "cán bộ đã kiểm tra giấy tờ tùy thân bản gốc" in checked.text
        # the database is down: never blocks the desk
        httpx.post(f"{registry.url}/_hong", json={"down": True})
        down = desk.post("/tiep-nhan", data={**fields, **form_tokens(form)})
        assert down.status_code == 422 and "Không tra cứu được" in down.text
        received = desk.post("/tiep-nhan", data={**fields, "kiem_tra_giay_to": "1",
                                                 **form_tokens(down.text)},
                             follow_redirects=True)
        assert "Đã tiếp nhận hồ sơ" in received.text
        report = make_report(app, "index766", Period(vn(2026, 1, 1).date(),
                                                     vn(2026, 1, 31).date()))
        found = {i["code"]: i for i in report["rows"][0]["indicators"]}
        assert found["6.6"]["inputs"] == {"population_used": 1, "received": 3}
        assert found["6.7"]["inputs"] == {"connected_procedures": 1, "procedures": 1}
        assert sim.asked == 3
    finally:
        web.stop()
        registry.stop()
    assert population.LABELS["khong_co"].startswith("Không có số định danh")
