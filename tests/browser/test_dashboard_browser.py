"""The leaders' dashboard in a real browser over the hand-counted month of
tests/integration/test_reports.py: a unit picked by name, a number tapped, the dossiers
behind it with the step and official that made each late, and the downloads read back."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.browser.test_dossier_journey import (  # noqa: F401 - fixtures
    browser,
    fits_width,
    needs_chromium,
    serve,
    sign_in,
)
from tests.integration.test_reports import month  # noqa: F401 - the shared fixture


@pytest.fixture
def month_server(app, world, month):  # noqa: F811
    yield from serve(app)


@pytest.mark.parametrize("viewport", [(1280, 900), (360, 740)], ids=["desktop", "phone"])
def test_a_leader_picks_his_ward_taps_the_late_count_and_downloads_it(
        month_server, month, browser, viewport):  # noqa: F811
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  accept_downloads=True, is_mobile=width < 400)
    page = context.new_page()
    sign_in(page, month_server, "truongphong", then="/lanh-dao")
    page.fill("#tu", "01/01/2026")
    page.fill("#den", "31/01/2026")
    page.select_option("#don_vi", label="Xã Hòa Phú")  # by name
    page.click("button:has-text('Xem')")
    page.wait_for_selector("svg.chart.trend")
    assert fits_width(page)
    late = page.locator("#xep-hang tbody tr", has_text="Xã Hòa Phú").first.locator("td").nth(4)
    assert late.inner_text() == "1"
    late.locator("a").click()
    page.wait_for_selector("text=Trễ (ngày làm việc)")
    assert month["d3"] in page.content() and month["d2"] not in page.content()
    assert "← Về trang điều hành" in page.content()
    with page.expect_download() as download:
        page.click("text=Tải danh sách (Excel)")
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet["A5"].value == month["d3"] and sheet["B5"].value == "Xã Hòa Phú"
    page.click("text=← Về trang điều hành")
    page.wait_for_selector("svg.chart.trend")
    with page.expect_download() as download:
        page.click("a:has-text('CSV cho Excel tiếng Việt') >> nth=0")
    rows = list(csv.reader(io.StringIO(
        download.value.path().read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert download.value.suggested_filename.endswith(".csv")
    assert any("75,00" in cell for cell in rows[-1])  # decimal comma, semicolons
    context.close()
