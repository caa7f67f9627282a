"""The leaders' dashboard over the hand-counted month of tests/integration/test_reports.py."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from motcua.web.app import create_app
from tests.e2e.test_web import login
from tests.integration.test_reports import month  # noqa: F401 - the shared fixture


def test_headline_numbers_drill_down_to_the_dossiers_behind_them(app, world, month):  # noqa: F811
    client = TestClient(create_app(app, "khoa"))
    login(client, "truongphong")
    page = client.get("/lanh-dao", params={"tu": "01/01/2026", "den": "31/01/2026",
                                           "don_vi": "24175"})
    assert page.status_code == 200 and "Điều hành giải quyết" in page.text
    found = re.findall(r'class="figure (\w+)" href="([^"]+)"><span class="num">([^<]+)',
                       page.text.replace("&amp;", "&"))
    figures = {kind: number for kind, _, number in found}
    links = {kind: link for kind, link, _ in found}
    assert figures == {"received": "7", "finished": "4", "in_progress": "2", "due_soon": "1",
                       "overdue_now": "1", "rate": "75,00%"}
    assert "<svg" in page.text and "01/2026" in page.text
    # the bars are the on-time rate, as their labels say; the numbers in a table below
    assert "Số liệu của biểu đồ" in page.text and ">75,0%</text>" in page.text
    text = re.sub(r"<[^>]+>", "|", page.text)
    # the line against Decision 766's full points and the same month a year before (none)
    assert "Mức đạt điểm tối đa Bộ chỉ số 766" in page.text and 'class="line' not in page.text
    assert "|01/2026||7||4||75,0%||—|" in text
    # where lateness comes from: the two overruns of "Thẩm định", 25 working hours
    assert "|Thẩm định||Xã Hòa Phú||2||3 ngày 1 giờ|" in text
    # the channel mix, and the ward's tile coloured in the 70–85% band, linked to its dossiers
    assert "|01/2026||6||1||7|" in text and "|Tháng||Trực tiếp||Trực tuyến||Tổng|" in text
    tile = re.search(r'<a href="([^"]+)"><rect [^>]*class="tile (b\d)"><title>Xã Hòa Phú: 75,0%',
                     page.text)
    assert tile.group(2) == "b2" and "loai=received" in tile.group(1)
    assert ">Xã Hòa Phú</td>" in page.text and "24175 Xã Hòa Phú" not in page.text  # names
    overdue = client.get(links["overdue_now"])
    assert month["d4"] in overdue.text and month["d5"] not in overdue.text
    soon = client.get(links["due_soon"])
    assert month["d5"] in soon.text and "Sắp đến hạn: 1 hồ sơ" in soon.text
    late = client.get("/lanh-dao/ho-so", params={"loai": "late", "tu": "01/01/2026",
                                                 "den": "31/01/2026", "don_vi": "24175"})
    assert month["d3"] in late.text and month["d2"] not in late.text
    assert "← Về trang điều hành" in late.text and "Xã Hòa Phú" in late.text
    assert "Trễ (ngày làm việc)" in late.text and "Tải danh sách (Excel)" in late.text
    listed = client.get("/lanh-dao/ho-so.xlsx", params={
        "loai": "late", "tu": "01/01/2026", "den": "31/01/2026", "don_vi": "24175"})
    drilled = load_workbook(io.BytesIO(listed.content)).active
    assert drilled["A5"].value == month["d3"] and drilled["B5"].value == "Xã Hòa Phú"
    assert drilled["H5"].value and drilled["H5"].value > 0  # working days late
    excel = client.get("/lanh-dao/bao-cao/ontime.xlsx", params={
        "tu": "01/01/2026", "den": "31/01/2026", "don_vi": "24175"})
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet["A5"].value.startswith("24175") and sheet["B5"].value == 7
    assert sheet.title == "Báo cáo kết quả giải quyết hồ"  # cut at a word, not "hồ s"
    assert "Thời gian giải quyết TB (ngày làm việc)" in [c.value for c in sheet[4]]
    params = {"tu": "01/01/2026", "den": "31/01/2026", "don_vi": "24175"}
    vn_csv = client.get("/lanh-dao/bao-cao/ontime.csv", params={**params, "kieu": "vn"})
    plain = client.get("/lanh-dao/bao-cao/ontime.csv", params=params)
    vn_rows = vn_csv.content.decode("utf-8-sig").splitlines()
    assert ";" in vn_rows[0] and "75,00" in vn_rows[-1] and "75.00" not in vn_rows[-1]
    assert "," in plain.content.decode("utf-8-sig").splitlines()[0]


def test_only_leaders_see_the_dashboard_and_only_their_units(app, world, month):  # noqa: F811
    client = TestClient(create_app(app, "khoa"))
    login(client, "chuyenvien")
    assert client.get("/lanh-dao").status_code == 403
    client.cookies.clear()
    login(client, "truongphong")
    assert client.get("/lanh-dao", params={"don_vi": "24133"}).status_code == 403
    mine = client.get("/lanh-dao").text  # the picker names the units, only his own
    assert '<option value="24175" selected>Xã Hòa Phú</option>' in mine
    assert "Toàn tỉnh" not in mine and "24133" not in mine


def test_the_766_inputs_open_the_dossiers_behind_them(app, world, month):  # noqa: F811
    client = TestClient(create_app(app, "khoa"))
    login(client, "truongphong")
    page = client.get("/lanh-dao", params={"tu": "01/01/2026", "den": "31/01/2026",
                                           "don_vi": "24175"}).text.replace("&amp;", "&")
    online = re.search(r'hồ sơ nộp trực tuyến: <a href="([^"]+)">(\d+)</a>', page)
    assert online is not None, "the online-filing input is a link"
    listed = client.get(online.group(1))
    assert listed.status_code == 200 and month["d1"] in listed.text
    assert f"Nộp trực tuyến (kể cả nộp hộ): {online.group(2)} hồ sơ" in listed.text
    received = re.search(r'hồ sơ tiếp nhận trong kỳ: <a href="([^"]+)">(\d+)</a>', page)
    assert f": {received.group(2)} hồ sơ" in client.get(received.group(1)).text


def test_staffing_beside_workload_and_late_risk_with_a_what_if(app, world, month):  # noqa: F811
    from motcua.services.cchc import import_file

    import_file(app, "bien-che.csv", "year,unit,level,positions,filled\n"
                "2026,24175,xã,6,1\n2026,Sở Nội vụ,department,40,38\n".encode())
    from motcua.services import dossiers as uc
    from tests.personas import CITIZEN

    fresh = [uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                channel="desk", applicant=CITIZEN,
                                official=world["tiepnhan"]).code for _ in range(3)]
    client = TestClient(create_app(app, "khoa"))
    login(client, "truongphong")
    params = {"tu": "01/01/2026", "den": "31/01/2026", "don_vi": "24175"}
    dashboard = client.get("/lanh-dao", params=params).text
    assert "/lanh-dao/nhan-luc?" in dashboard
    page = client.get("/lanh-dao/nhan-luc", params={**params, "gio": "0.5", "them": "20"})
    assert page.status_code == 200, page.text
    row = re.search(r'<th scope="row">Xã Hòa Phú</th>(.*?)</tr>', page.text, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    # positions, in post, missing, received a working day, open steps (the month's two and
    # the three fresh), per official, overdue, due in 5 working days, at risk, with +20
    assert cells[:9] == ["6", "1", "5", "1,25", "5", "5,0", "2", "3", cells[8]]
    assert all(f'href="/ho-so/{code}"' in cells[8] for code in fresh)
    assert "<strong>3</strong>" in cells[8] and cells[9] == "3"
    assert "Sở Nội vụ" not in page.text  # not a unit motcua knows
    assert "Có nguy cơ trễ nếu thêm 20 cán bộ" in page.text
    # full days on dossiers and a hundred more officials: nothing at risk
    more = client.get("/lanh-dao/nhan-luc", params={**params, "gio": "8", "them": "100"}).text
    row = re.search(r'<th scope="row">Xã Hòa Phú</th>(.*?)</tr>', more, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", row, re.S)[9] == "0"
    bad = client.get("/lanh-dao/nhan-luc", params={**params, "gio": "25"})
    assert bad.status_code == 422
    # a head of another unit sees nothing of this one
    assert client.get("/lanh-dao/nhan-luc", params={"don_vi": "24178"}).status_code == 403
