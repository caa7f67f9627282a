"""axe-core (4.14.1, vendored: tests/browser/vendor, MPL-2.0) over the citizen's and the
officials' pages, in the normal and the large-text, high-contrast modes: no serious or
critical violation. Bounded: one dossier, one filing, eleven pages, two modes."""

from __future__ import annotations

from pathlib import Path

from motcua.domain.documents import Upload
from motcua.domain.lifecycle import APPLICANT  # noqa: F401 - the applicant acts on tracking
from motcua.services import dossiers as uc
from motcua.services import submissions
from tests.browser.test_dossier_journey import (  # noqa: F401 - fixtures
    PDF,
    browser,
    needs_chromium,
    server,
    sign_in,
)
from tests.personas import CITIZEN

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return found


def test_pages_have_no_serious_accessibility_violation_in_either_mode(app, server, browser):  # noqa: F811
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN).code
    filing, _ = submissions.submit(
        app, procedure_code="1.001193", unit_code="24175", applicant=CITIZEN,
        uploads=[Upload("Tờ khai đăng ký khai sinh", "to-khai.pdf", PDF),
                 Upload("Giấy chứng sinh", "chung-sinh.pdf", PDF)],
        submission_key="khoa-kiem-thu-axe-0001")
    public = ["/thu-tuc", "/thu-tuc/1.001193", "/thu-tuc/1.001193/nop-truc-tuyen", "/tra-cuu",
              "/danh-gia-tai-quay",
              "/dang-nhap"]
    desk = ["/hop-thu", f"/ho-so/{code}", "/tiep-nhan?thu_tuc=1.001193", "/cho-tiep-nhan",
            f"/cho-tiep-nhan/{filing.ref}", "/ban-giao", "/thong-bao/can-in"]
    problems = []
    for contrast in ("thuong", "cao"):
        # axe is injected as a script of the page: the page's CSP would refuse it
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN",
                                      bypass_csp=True)
        context.add_cookies([{"name": "tuong_phan", "value": contrast, "url": server}])
        page = context.new_page()
        for path in public:
            page.goto(f"{server}{path}")
            problems += [f"{contrast} {path}: {v}" for v in _violations(page)]
        page.goto(f"{server}/tra-cuu")  # a tracking result
        page.fill("#ma", code)
        page.fill("#so", "5678")
        page.click("button:has-text('Tra cứu')")
        page.wait_for_selector("section.dossier")
        problems += [f"{contrast} tracking result: {v}" for v in _violations(page)]
        sign_in(page, server, "tiepnhan")
        for path in desk:
            page.goto(f"{server}{path}")
            problems += [f"{contrast} {path}: {v}" for v in _violations(page)]
        context.close()
    assert problems == [], "\n".join(problems)


def _on_a_phone(app, browser, server, username: str):  # noqa: F811
    """A dossier to show, and a 360-px phone signed in as ``username``."""
    uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                       applicant=CITIZEN)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, server, username)
    return context, page


def test_desk_pages_fit_a_phone(app, server, browser):  # noqa: F811
    context, page = _on_a_phone(app, browser, server, "tiepnhan")
    for path in ("/hop-thu", "/tiep-nhan?thu_tuc=1.001193", "/cho-tiep-nhan",
                 "/thong-bao/can-in"):
        page.goto(f"{server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    box = page.locator("input[name=on_behalf]")
    page.goto(f"{server}/tiep-nhan")
    assert box.bounding_box()["width"] < 40  # the "Nộp hộ" box, not 298 px wide
    context.close()


def test_the_leaders_dashboard_fits_a_phone(app, server, browser):  # noqa: F811
    context, page = _on_a_phone(app, browser, server, "truongphong")
    page.goto(f"{server}/lanh-dao")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                     && !e.closest('.table-wrap'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                         Math.round(e.getBoundingClientRect().right))""")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), wide
    for chart in ("trend", "tiles", "channels"):  # drawn, within the phone's width
        box = page.locator(f"svg.chart.{chart}").bounding_box()
        assert box and box["x"] + box["width"] <= 361, chart
    # a Decision 766 point opens how it is computed, with the dossiers behind each input
    calculation = page.locator("details.index-detail").first
    assert not calculation.evaluate("d => d.open")
    page.locator("a[href^='#cach-tinh-']").first.click()
    assert calculation.evaluate("d => d.open")
    page.goto(f"{server}/lanh-dao/nhan-luc?them=2")
    assert "Nhân lực, khối lượng và nguy cơ trễ hạn" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
