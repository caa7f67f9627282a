"""The CCHC programme: import (all or nothing), every figure against hand counts, the documents.

Hand counts: the central ministries planned 1.000 tasks in 2023 and finished 944
(94,40%); in 2024 they planned 1.049 (3 more were cancelled) and finished 1.019
(97,14%): 2,74 points higher. One province planned 10 in 2024 and finished 7;
two of the rest were due 30/06/2024.
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import Workbook, load_workbook

from motcua.domain.errors import ValidationError
from motcua.reports.cchc import annual
from motcua.reports.cchc_docs import to_docx, to_xlsx
from motcua.services import dossiers as uc
from motcua.services.cchc import import_file
from motcua.storage import tables as t
from tests.personas import CITIZEN

TASKS_HEADER = "year,agency,agency_kind,title,due_date,status,done_date\n"


def tasks_csv() -> bytes:
    lines = [TASKS_HEADER]
    for i in range(1000):
        status, done = ("done", "15/11/2023") if i < 944 else ("in_progress", "")
        lines.append(f"2023,Bộ {i % 20},ministry,Nhiệm vụ {i},31/12/2023,{status},{done}\n")
    for i in range(1052):
        if i < 1019:
            status, done = ("hoàn thành", "2024-11-20")
        elif i < 1049:
            status, done = ("đang thực hiện", "")
        else:
            status, done = ("hủy", "")
        lines.append(f"2024,Bộ {i % 20},bộ,Nhiệm vụ {i},31/12/2024,{status},{done}\n")
    for i in range(10):
        status, done, due = (("done", "01/06/2024", "30/06/2024") if i < 7 else
                             ("in_progress", "", "30/06/2024") if i < 9 else
                             ("not_started", "", "31/12/2024"))
        lines.append(f"2024,UBND tỉnh Đắk Lắk,province,\"Nhiệm vụ tỉnh {i}, đợt 1\",{due},"
                     f"{status},{done}\n")
    return "".join(lines).encode("utf-8")


MEETINGS = """held_on,title,mode,presiding,point,point_presiding,attendance,conclusion,owner,due_date,status,done_date
15/03/2024,Phiên họp Ban Chỉ đạo quý I,trực tuyến,Chủ tịch UBND tỉnh,Điểm cầu tỉnh,Chủ tịch UBND tỉnh,20,Số hóa hồ sơ cấp xã,Sở Nội vụ,30/06/2024,hoàn thành,20/06/2024
15/03/2024,Phiên họp Ban Chỉ đạo quý I,trực tuyến,Chủ tịch UBND tỉnh,Điểm cầu xã Hòa Phú,Chủ tịch UBND xã,15,Rà soát thủ tục đất đai,Sở Nông nghiệp và Môi trường,01/10/2024,đang thực hiện,
15/03/2024,Phiên họp Ban Chỉ đạo quý I,trực tuyến,Chủ tịch UBND tỉnh,Điểm cầu phường Tân An,Chủ tịch UBND phường,10,,,,,
20/09/2024,Phiên họp Ban Chỉ đạo quý III,trực tiếp,Phó Chủ tịch UBND tỉnh,Hội trường UBND tỉnh,Phó Chủ tịch UBND tỉnh,30,,,,,
""".encode()

FINDINGS = """year,inspecting_agency,inspected_unit,inspected_on,kind,description,remedy_owner,remedy_due,remedy_status
2024,Bộ Nội vụ,UBND tỉnh Đắk Lắk,10/05/2024,tồn tại,Chưa công khai đủ thủ tục,Văn phòng UBND tỉnh,30/06/2024,đã khắc phục
2024,Bộ Nội vụ,UBND tỉnh Đắk Lắk,10/05/2024,hạn chế,Số hóa kết quả chậm,Sở Nội vụ,30/09/2024,đang khắc phục
2024,Bộ Nội vụ,UBND tỉnh Gia Lai,12/05/2024,hạn chế,Trả kết quả trễ hạn,Sở Tư pháp,30/09/2024,done
2024,UBND tỉnh Đắk Lắk,UBND xã Hòa Phú,05/08/2024,tồn tại,Sổ theo dõi chưa cập nhật,UBND xã Hòa Phú,30/10/2024,chưa khắc phục
""".encode()

REGULATIONS = "document,agency,regulation,in_force_from,action,action_year\n" + "".join(
    f"Thông tư 01/2020/TT-BXD,Bộ Xây dựng,Điều kiện {i},2020,"
    + ("cắt giảm,2023" if i < 2 else "cắt giảm,2024" if i == 2 else
       "đơn giản hóa,2024" if i < 5 else ",") + "\n" for i in range(10))

OUTREACH = """year,agency,kind,title,held_on
2024,UBND tỉnh Đắk Lắk,văn bản chỉ đạo,Chỉ thị về CCHC năm 2024,05/01/2024
2024,UBND tỉnh Đắk Lắk,văn bản chỉ đạo,Kế hoạch tuyên truyền CCHC,10/01/2024
2024,Sở Nội vụ,tin bài,Tin về chỉ số PAR INDEX,
2024,Sở Nội vụ,tin bài,Tin về Bộ phận một cửa,
2024,Sở Nội vụ,tin bài,Phóng sự số hóa,
2024,Sở Nội vụ,hội nghị,Hội nghị triển khai CCHC,20/02/2024
2024,Sở Nội vụ,cuộc thi,Cuộc thi tìm hiểu CCHC,01/09/2024
""".encode()


def staffing_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Biên chế"
    sheet.append(["year", "unit", "level", "positions", "filled"])
    sheet.append([2024, "24175", "xã", 12, 10])
    sheet.append([2024, "Sở Nội vụ", "department", "1.040", 1001])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def programme(app, world):
    for name, data in (("nhiem-vu.csv", tasks_csv()), ("phien-hop.csv", MEETINGS),
                       ("kiem-tra.csv", FINDINGS), ("quy-dinh.csv", REGULATIONS.encode()),
                       ("tuyen-truyen.csv", OUTREACH), ("bien-che.xlsx", staffing_xlsx())):
        import_file(app, name, data)
    return annual(app.engine, 2024)


def test_task_figures_match_the_hand_count(programme):
    ministries = programme["tasks"]["by_kind"]["ministry"]
    assert ministries == {"planned": 1049, "done": 1019, "rate_pct": 97.14,
                          "prev_rate_pct": 94.4, "delta_pp": 2.74}
    province = programme["tasks"]["by_kind"]["province"]
    assert province == {"planned": 10, "done": 7, "rate_pct": 70.0, "prev_rate_pct": None,
                        "delta_pp": None}
    overdue = programme["tasks"]["overdue"]
    assert len([o for o in overdue if o["agency"] == "UBND tỉnh Đắk Lắk"]) == 2
    assert len(overdue) == 2  # the ministries' 30 unfinished are due 31/12: not overdue that day


def test_every_other_section_matches_the_hand_count(programme):
    assert programme["inspections"]["total"] == {"inspected_units": 3, "findings": 4,
                                                 "handled": 2, "handled_pct": 50.0}
    ministry = programme["inspections"]["by_agency"][0]
    assert (ministry["agency"], ministry["findings"], ministry["handled"]) == ("Bộ Nội vụ", 3, 2)
    regulations = programme["regulations"]
    assert regulations["year"] == {"cut": 1, "simplified": 2}
    assert regulations["by_year"] == [{"year": 2023, "cut": 2, "simplified": 0},
                                      {"year": 2024, "cut": 1, "simplified": 2}]
    assert regulations["cumulative"] == {"base_year": 2020, "cut_or_simplified": 5,
                                         "in_force": 10, "in_force_at_base": 10,
                                         "rate_pct": 50.0}
    assert programme["outreach"]["by_kind"] == {"direction_document": 2, "news": 3,
                                                "conference": 1, "contest": 1}
    meetings = programme["meetings"]
    assert (meetings["sessions"], meetings["online"], meetings["points"],
            meetings["attendance"]) == (2, 1, 4, 75)
    assert meetings["conclusions"] == {"total": 2, "done": 1, "overdue": 1, "done_pct": 50.0}
    assert meetings["list"][0]["points"][1] == {"name": "Điểm cầu xã Hòa Phú",
                                                "presiding": "Chủ tịch UBND xã",
                                                "attendance": 15}
    staffing = programme["staffing"]
    assert staffing["total"] == {"positions": 1052, "filled": 1011, "shortfall": 41}
    commune = next(u for u in staffing["by_unit"] if u["unit"] == "24175")
    assert commune["shortfall"] == 2 and commune["dossiers_received"] == 0


def test_the_word_report_says_it_in_official_prose(programme):
    from datetime import date

    from motcua.reports.cchc_docs import Issuer

    issuer = Issuer(("UBND TỈNH ĐẮK LẮK", "SỞ NỘI VỤ"), "BC-SNV", "Buôn Ma Thuột",
                    date(2024, 12, 16), "Giám đốc", "Nguyễn Văn Ký",
                    ("Bộ Nội vụ", "Lưu: VT, CCHC"))
    doc = Document(io.BytesIO(to_docx(programme, issuer)))
    section = doc.sections[0]  # Decree 30/2020: A4, margins within its ranges
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert 2 <= section.top_margin.cm <= 2.5 and 2 <= section.bottom_margin.cm <= 2.5
    assert 3 <= section.left_margin.cm <= 3.5 and 1.5 <= section.right_margin.cm <= 2
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert "UBND TỈNH ĐẮK LẮK" in header[0] and "SỞ NỘI VỤ" in header[0]
    assert "/BC-SNV" in header[0] and "Độc lập - Tự do - Hạnh phúc" in header[1]
    assert "Buôn Ma Thuột, ngày 16 tháng 12 năm 2024" in header[1]
    closing = [c.text for c in doc.tables[-1].rows[0].cells]
    assert "Nơi nhận:" in closing[0] and "- Bộ Nội vụ;" in closing[0]
    assert "- Lưu: VT, CCHC." in closing[0]
    assert "GIÁM ĐỐC" in closing[1] and "Nguyễn Văn Ký" in closing[1]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in text and "Kết quả công tác cải cách hành chính năm 2024" in text
    assert ("Năm 2024, các bộ, ngành Trung ương đã hoàn thành 1.019/1.049 nhiệm vụ, đạt tỷ lệ "
            "97,14% so với kế hoạch, cao hơn 2,74% so với cùng kỳ năm 2023.") in text
    assert "chưa có số liệu năm 2023 để so sánh" in text
    assert "phát hiện 4 tồn tại, hạn chế; đến nay đã khắc phục 2, đạt 50,00%" in text
    assert "lũy kế từ năm 2020 đã cắt giảm, đơn giản hóa 5/10 quy định, đạt 50,00%" in text
    assert "họp 2 phiên (1 phiên trực tuyến) với 4 điểm cầu, 75 lượt đại biểu" in text
    assert "Tổng biên chế được giao 1.052, hiện có 1.011, còn thiếu 41." in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1]
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    assert "97,14" in cells and "Bộ Nội vụ" in cells
    book = load_workbook(io.BytesIO(to_xlsx(programme)))
    assert book.sheetnames[0] == "Nhiệm vụ"
    rows = list(book["Nhiệm vụ"].iter_rows(min_row=5, values_only=True))
    province = next(r for r in rows if r[0] == "UBND tỉnh Đắk Lắk")
    assert province[2:5] == (10, 7, 70.0)


def test_a_file_with_bad_rows_is_refused_whole_with_each_reason(app):
    bad = (TASKS_HEADER + "2024,Sở Tư pháp,department,Nhiệm vụ A,31/02/2024,done,01/03/2024\n"
           "2024,Sở Tư pháp,department,Nhiệm vụ B,31/03/2024,xong,\n"
           "2024,Sở Tư pháp,department,,31/03/2024,done,\n"
           "2024,Sở Tư pháp,department,Nhiệm vụ D,31/03/2024,not_started,\n").encode()
    with pytest.raises(ValidationError) as caught:
        import_file(app, "nhiem-vu.csv", bad)
    message = caught.value.message
    assert "có 3 dòng sai, chưa nhập dòng nào" in message
    assert "Dòng 2: hạn: “31/02/2024” không hợp lệ" in message
    assert "Dòng 3: tình trạng: “xong” không thuộc" in message
    assert "Dòng 4: thiếu nội dung" in message
    with app.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.cchc_tasks)).scalar() == 0
    with pytest.raises(ValidationError, match="Không nhận ra loại dữ liệu"):
        import_file(app, "x.csv", b"ten,tuoi\nA,1\n")
    with pytest.raises(ValidationError, match="Chỉ nhập tệp"):
        import_file(app, "x.docx", b"PK")


def test_importing_the_same_spreadsheet_again_updates_instead_of_doubling(app, world):
    import_file(app, "nhiem-vu.csv", tasks_csv())
    import_file(app, "nhiem-vu.csv", tasks_csv())
    assert annual(app.engine, 2024)["tasks"]["by_kind"]["ministry"]["planned"] == 1049


def test_the_command_line_goes_from_spreadsheets_to_the_report(database_url, tmp_path):
    files = {"nhiem-vu.csv": tasks_csv(), "phien-hop.csv": MEETINGS}
    motcua = [sys.executable, "-m", "motcua.cli.main"]
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        done = subprocess.run([*motcua, "cchc", "import", str(tmp_path / name), "--database",
                               database_url], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    out = tmp_path / "bao-cao.docx"
    done = subprocess.run([*motcua, "cchc", "report", "--year", "2024", "--format", "docx",
                           "--out", str(out), "--database", database_url],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "97,14%" in "\n".join(
        p.text for p in Document(str(out)).paragraphs)
    as_json = subprocess.run([*motcua, "cchc", "report", "--year", "2024", "--scope",
                              "UBND tỉnh Đắk Lắk", "--database", database_url],
                             capture_output=True, text=True)
    assert '"planned": 10' in as_json.stdout and '"ministry"' not in as_json.stdout
    (tmp_path / "sai.csv").write_text(TASKS_HEADER + "2024,X,tỉnh,Y,hôm qua,done,\n", "utf-8")
    bad = subprocess.run([*motcua, "cchc", "import", str(tmp_path / "sai.csv"), "--database",
                          database_url], capture_output=True, text=True)
    assert bad.returncode == 2 and "Dòng 2" in bad.stderr


def test_leaders_review_the_year_and_administrators_import_and_enter(app, world):
    from fastapi.testclient import TestClient

    from motcua.services.officials import create_official
    from motcua.web.app import create_app
    from tests.e2e.test_web import login

    create_official(app, username="quantri", full_name="Quản trị", password="mat-khau-demo",
                    roles=[("24175", "admin")])
    client = TestClient(create_app(app, "khoa"))
    csrf = login(client, "quantri")
    done = client.post("/cchc/nhap", data={"csrf": csrf, "nam": "2024"},
                       files={"file": ("nhiem-vu.csv", tasks_csv(), "text/csv")})
    assert "Đã nhập 2062 dòng" in done.text
    page = client.get("/cchc", params={"nam": 2024})
    assert "đã hoàn thành 1.019/1.049 nhiệm vụ, đạt tỷ lệ 97,14%" in page.text
    refused = client.post("/cchc/nhap", data={"csrf": csrf, "nam": "2024"}, files={
        "file": ("sai.csv", (TASKS_HEADER + "2024,A,tỉnh,B,32/13/2024,done,\n").encode(),
                 "text/csv")})
    assert "Dòng 2" in refused.text
    entered = client.post("/cchc/nhiem-vu", data={
        "csrf": csrf, "year": "2024", "agency": "Sở Tư pháp", "agency_kind": "department",
        "title": "Rà soát thủ tục hộ tịch", "due_date": "30/06/2024", "status": "done",
        "done_date": "15/06/2024"})
    assert "Đã lưu nhiệm vụ" in entered.text and "các sở, ban, ngành" in entered.text
    docx = client.get("/cchc/bao-cao-2024.docx")
    assert "97,14%" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    client.cookies.clear()
    login(client, "truongphong")
    assert client.get("/cchc", params={"nam": 2024}).status_code == 200
    csrf = login(client, "truongphong")
    assert client.post("/cchc/nhiem-vu", data={"csrf": csrf, "year": "2024"}).status_code == 403
    client.cookies.clear()
    login(client, "chuyenvien")
    assert client.get("/cchc").status_code == 403


def test_staffing_shows_each_known_unit_s_dossiers_of_the_year(app, world):
    import_file(app, "bien-che.csv", "year,unit,level,positions,filled\n"
                "2026,24175,xã,12,10\n2026,Sở Nội vụ,department,40,38\n".encode())
    for _ in range(2):
        uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                           applicant=CITIZEN, official=world["tiepnhan"])
    units = {u["unit"]: u for u in annual(app.engine, 2026)["staffing"]["by_unit"]}
    assert (units["24175"]["dossiers_received"], units["24175"]["dossiers_open"]) == (2, 2)
    assert "dossiers_received" not in units["Sở Nội vụ"]  # not a unit motcua knows


def test_a_file_larger_than_the_office_allows_is_refused_before_reading(app):
    app.settings = dataclasses.replace(app.settings, max_upload_mb=0.001)
    with pytest.raises(ValidationError) as refused:
        import_file(app, "nhiem-vu.csv", tasks_csv())
    assert refused.value.details["reason"] == "qua_dung_luong"
    assert "nhiem-vu.csv" in refused.value.message


@pytest.mark.parametrize("name", ["nhiem-vu", "phien-hop", "kiem-tra", "quy-dinh",
                                  "tuyen-truyen", "bien-che"])
def test_each_import_template_has_its_lists_and_notes_and_imports_as_it_is(app, name):
    from motcua.reports.cchc_templates import template_xlsx
    from motcua.services.cchc import import_file

    data = template_xlsx(name)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Dữ liệu", "Danh mục", "Hướng dẫn"]
    sheet = book["Dữ liệu"]
    assert sheet["A1"].value and sheet["A2"].value  # the header row and one example
    assert "Bắt buộc" in [c.value for c in book["Hướng dẫn"][4]]
    lists = sheet.data_validations.dataValidation
    assert lists and all(v.type == "list" for v in lists)  # every kind has a choice column
    counts = import_file(app, f"{name}.xlsx", data)
    assert sum(counts.values()) == 1
