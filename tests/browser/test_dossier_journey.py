"""One dossier's journey in a real browser (Debian's chromium driven by Playwright).

A citizen files online from a 360-px phone with uploads; the desk officer, the
specialist, the division head and the signer each complete their step from the
dossier page; the desk returns the result; the citizen tracks it and the QR code
on the tracking page decodes to its own address. Screenshots of the key pages go
to test-output/screenshots/.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn

from motcua.services.officials import create_official
from motcua.services.procedures import procedure_from_dict, save_procedures
from motcua.services.units import create_unit
from motcua.web.app import create_app
from tests.ports import free_port

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROCEDURE = {
    "code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "level": "commune",
    "deadline": {"working_days": 3}, "channels": ["desk", "online", "postal"],
    "fee": "Miễn lệ phí", "result_type": "Giấy khai sinh",
    "documents": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"],
    "steps": [{"name": "Tiếp nhận, kiểm tra hồ sơ", "role": "desk", "working_hours": 2},
              {"name": "Công chức tư pháp thẩm định", "role": "specialist", "working_hours": 10},
              {"name": "Lãnh đạo phòng xem xét", "role": "head", "working_hours": 6},
              {"name": "Chủ tịch UBND xã ký", "role": "signer", "working_hours": 6}],
}
OFFICIALS = {"tiepnhan": "desk", "chuyenvien": "specialist", "truongphong": "head",
             "chutich": "signer"}


@pytest.fixture(scope="module", autouse=True)
def needs_chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail("Cần Chromium của Debian tại /usr/bin/chromium: chạy `make system-deps`.")
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def server(app):
    create_unit(app, code="24175", name="Xã Hòa Phú", kind="commune")
    save_procedures(app, [procedure_from_dict(PROCEDURE)])
    for username, role in OFFICIALS.items():
        create_official(app, username=username, full_name=f"Cán bộ {username}",
                        password="mat-khau-demo", roles=[("24175", role)])
    yield from serve(app)


def serve(app):
    """Serve ``app`` on a free port of 127.0.0.1 (a thread) until the test ends."""
    port = free_port()
    app.settings = app.settings.__class__(**{**app.settings.__dict__,
                                             "public_url": f"http://127.0.0.1:{port}"})
    web = uvicorn.Server(uvicorn.Config(create_app(app, "khoa-trinh-duyet"), host="127.0.0.1",
                                        port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    for _ in range(100):
        if web.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    web.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def sign_in(page, base: str, username: str, then: str = "/hop-thu") -> None:
    """Sign in on the login page, going on to ``then``."""
    page.goto(f"{base}/dang-nhap?tiep={then}")
    page.fill("#username", username)
    page.fill("#password", "mat-khau-demo")
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_url(f"{base}{then}")


def signed_in(browser, base: str, username: str, then: str = "/hop-thu"):
    """A desktop browser context with ``username`` signed in, and its page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, base, username, then)
    return context, page


def act_as(browser, base: str, username: str, code: str, action: str, shot: str | None = None):
    context, page = signed_in(browser, base, username)
    if shot:
        page.screenshot(path=SHOTS / f"{shot}-hop-thu.png", full_page=True)
    page.click(f"a:has-text('{code}')")
    page.wait_for_url(f"{base}/ho-so/{code}")
    buttons = page.locator("button[data-action]").evaluate_all(
        "els => els.map(e => e.dataset.action)")
    assert action in buttons
    if shot:
        page.screenshot(path=SHOTS / f"{shot}-ho-so.png", full_page=True)
    page.click(f"button[data-action='{action}']")
    page.wait_for_selector(".flash.ok")
    status = page.inner_text("#trang-thai")
    context.close()
    return status


def test_online_dossier_through_four_roles_to_return_and_tracking(app, server, browser,
                                                                  tmp_path):
    files = []
    for name in ("to-khai.pdf", "giay-chung-sinh.pdf"):
        path = tmp_path / name
        path.write_bytes(PDF)
        files.append(str(path))

    phone = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                locale="vi-VN", is_mobile=True, has_touch=True)
    citizen = phone.new_page()
    citizen.goto(f"{server}/thu-tuc?q=dang ky khai sinh")
    assert fits_width(citizen)
    citizen.screenshot(path=SHOTS / "01-danh-muc-thu-tuc.png", full_page=True)
    citizen.click("a:has-text('Đăng ký khai sinh')")
    citizen.click("a:has-text('Nộp hồ sơ trực tuyến')")
    citizen.fill("#name", "Phạm Thị Công Dân")
    citizen.fill("#id_number", "066190001234")
    citizen.fill("#birth_year", "1990")
    citizen.fill("#phone", "0912345678")
    citizen.select_option("#unit_code", "24175")
    citizen.set_input_files("#tep-0", files[0])
    citizen.set_input_files("#tep-1", files[1])
    assert fits_width(citizen)
    citizen.screenshot(path=SHOTS / "02-nop-truc-tuyen.png", full_page=True)
    citizen.dblclick("#gui-ho-so")  # a double click still makes one filing
    citizen.wait_for_selector("#ma-ho-so")
    ref = citizen.inner_text("#ma-ho-so").strip()
    assert "chờ bộ phận một cửa" in citizen.inner_text("main")
    assert fits_width(citizen)
    citizen.screenshot(path=SHOTS / "03-bien-nhan.png", full_page=True)

    # the desk checks the filing and accepts it: only now is it a dossier with a code
    desk, officer = signed_in(browser, server, "tiepnhan", then="/cho-tiep-nhan")
    officer.click(f"a:has-text('{ref}')")
    assert "Giấy chứng sinh" in officer.inner_text("main")
    officer.screenshot(path=SHOTS / "03b-cho-tiep-nhan.png", full_page=True)
    officer.click("#tiep-nhan")
    officer.wait_for_selector(".flash.ok")
    code = officer.url.split("/ho-so/")[1].split("?")[0]
    desk.close()

    steps = [("tiepnhan", "complete_step", "04-tiep-nhan"),
             ("chuyenvien", "complete_step", "05-chuyen-vien"),
             ("truongphong", "complete_step", None), ("chutich", "complete_step", None),
             ("tiepnhan", "return", None)]
    statuses = []
    for username, action, shot in steps:
        app.clock.set(app.clock.now() + timedelta(hours=2))
        statuses.append(act_as(browser, server, username, code, action, shot))
    assert statuses == ["Đang giải quyết"] * 3 + ["Đã có kết quả, chờ trả", "Đã trả kết quả"]

    citizen.goto(f"{server}/tra-cuu")
    citizen.fill("#ma", code)
    citizen.fill("#so", "5678")
    citizen.click("button:has-text('Tra cứu')")
    citizen.wait_for_selector("section.dossier")
    text = citizen.inner_text("section.dossier")
    assert "Đã trả kết quả" in text and "Chủ tịch UBND xã ký" in text
    assert fits_width(citizen)
    citizen.screenshot(path=SHOTS / "06-tra-cuu.png", full_page=True)
    qr = tmp_path / "qr.png"
    citizen.screenshot(path=qr, full_page=True)  # zbarimg finds the QR code on the page
    decoded = subprocess.run([shutil.which("zbarimg") or "zbarimg", "--raw", "-q", str(qr)],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded == f"{server}/tra-cuu?ma={code}"
    citizen.click("a:has-text('Chữ lớn, tương phản cao')")
    citizen.wait_for_selector("body.tuong-phan-cao")
    citizen.screenshot(path=SHOTS / "07-tuong-phan-cao.png", full_page=True)
    phone.close()

    import sqlalchemy as sa

    with app.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM dossiers")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM attachments")).scalar() == 2


def test_assisted_filing_scan_hand_over_and_an_online_supplement(app, server, browser, tmp_path):
    # the desk files for an elderly person, checking the documents off
    desk_context, desk = signed_in(browser, server, "tiepnhan")
    desk.goto(f"{server}/tiep-nhan?tim=khai sinh")
    for label in ("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"):
        desk.check(f"input[name=giay_to][value='{label}']")
    desk.check("input[name=on_behalf]")
    desk.uncheck("input[name=print_now]")
    desk.fill("#name", "Y Blô Niê")
    desk.fill("#id_number", "066050001234")
    desk.fill("#birth_year", "1950")
    desk.fill("#phone", "0905111222")
    desk.click("button:has-text('Tiếp nhận hồ sơ')")
    desk.wait_for_selector(".flash.ok")
    code = desk.url.split("/ho-so/")[1].split("?")[0]
    assert "Nộp hộ" in desk.inner_text("main")
    # a scan hands the desk step over; a second scan is refused and says when
    desk.goto(f"{server}/ban-giao")
    for _ in range(2):
        desk.fill("#code", code)
        desk.click("button:has-text('Hoàn thành và chuyển')")
        desk.wait_for_selector(".flash")
    assert "đã bàn giao lúc" in desk.inner_text(".flash")
    desk_context.close()

    # the specialist asks for a supplement, with the reason
    specialist_context, specialist = signed_in(browser, server, "chuyenvien")
    specialist.goto(f"{server}/ho-so/{code}")
    specialist.fill("#missing-request_supplement", "Giấy chứng sinh bản chính")
    specialist.fill("#reason-request_supplement", "Bản chụp không đọc được")
    specialist.click("button[data-action='request_supplement']")
    specialist.wait_for_selector(".flash.ok")
    specialist_context.close()

    # the citizen, on a phone, reads why and sends the document online
    scan = tmp_path / "chung-sinh.pdf"
    scan.write_bytes(PDF)
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                is_mobile=True, has_touch=True)
    citizen = phone.new_page()
    citizen.goto(f"{server}/tra-cuu?ma={code}")
    citizen.fill("#so", "1222")
    citizen.click("button:has-text('Tra cứu')")
    citizen.wait_for_selector("#can-bo-sung")
    assert "Bản chụp không đọc được" in citizen.inner_text("#can-bo-sung")
    citizen.set_input_files("#bo-sung-0", str(scan))
    citizen.click("button:has-text('Gửi bổ sung')")
    citizen.wait_for_selector(".flash.ok")
    assert "Đang chờ bộ phận một cửa xác nhận" in citizen.inner_text("main")
    assert fits_width(citizen)
    citizen.screenshot(path=SHOTS / "09-bo-sung-truc-tuyen.png", full_page=True)
    phone.close()

    # the desk confirms the supplement: the dossier goes on
    desk_context, desk = signed_in(browser, server, "tiepnhan")
    desk.goto(f"{server}/ho-so/{code}")
    assert "chung-sinh.pdf" in desk.inner_text("main")
    desk.click("button[data-action='supplement']")
    desk.wait_for_selector(".flash.ok")
    assert desk.inner_text("#trang-thai") == "Đang giải quyết"
    desk_context.close()
