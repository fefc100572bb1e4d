"""In a real browser: the result at a glance above the fold, both prints, and axe-core on each.

Same set-up as tests/web/test_browser.py (Debian's Chromium through Playwright's bundled driver,
nothing fetched from outside). Screenshots go to /tmp/ui-shots/ (or BONECARE_SHOTS_DIR).
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser import (
    BROWSER_TESTS,
    PASSWORD,
    assert_accessible,
    local_context,
    sign_in,
)

from ..result_helpers import CASES, LONG_CASES, consultation_for

pytestmark = BROWSER_TESTS
FOLD = 800
SHOTS = Path(os.environ.get("BONECARE_SHOTS_DIR") or "/tmp/ui-shots")
# Cases whose three pages are photographed and checked with axe-core: a plain one, cord
# compression, an unstable spine, two alerts, a temporary stop, and the held-out long ones
# (three lesions with two alerts; cord compression with an unstable spine).
SHOWN = ["V06", "V07", "V23", "V31", "V01-not-now", "held-three-lesions", "held-two-alerts"]
PRINT_PT_MIN = 12
CLINICIAN_PT_MIN = 10


@pytest.fixture
def page(browser, live_server, clinician, published_ruleset, treatment_options):
    clinician.set_password(PASSWORD)
    clinician.save()
    context = local_context(browser, live_server, width=1280, height=FOLD)
    page = context.new_page()
    sign_in(page, clinician.username)
    yield page
    context.close()


def bottom(locator):
    box = locator.bounding_box()
    return box["y"] + box["height"]


def shoot(page, name, *, media="screen", full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media=media)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
    pages = None
    if media == "print":
        pdf = page.pdf(path=str(SHOTS / f"{name}.pdf"), format="A4")
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    page.emulate_media(media="screen")
    return pages


def test_alerts_and_the_options_table_are_above_the_fold_in_every_case(page, clinician):
    # One browser session over every case: a live server's set-up costs more than a page.
    beyond = []
    for case in CASES:
        consultation = consultation_for(case, clinician)
        page.goto(f"/consultations/{consultation.pk}/")
        table = page.locator("table.bc-glance")
        assert table.locator("[data-status]").count() == 5, case
        if bottom(table) > FOLD:
            beyond.append(f"{case}: the options table ends at {bottom(table):.0f} px")
        alerts = page.locator("[data-alert]")
        for index in range(alerts.count()):
            assert bottom(alerts.nth(index)) <= bottom(table), case
        assert page.evaluate("window.scrollY") == 0, case
    assert beyond == []


def print_text_below(page, minimum):
    """Return the visible texts of a print set below `minimum` points in print media."""
    page.emulate_media(media="print")
    small = page.evaluate("""(minimum) => {
      const found = [];
      for (const el of document.querySelectorAll('main *')) {
        if (el.closest('.bc-no-print, .nhsuk-u-visually-hidden')) continue;
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || el.offsetParent === null) continue;
        const px = parseFloat(getComputedStyle(el).fontSize);
        if (px * 0.75 < minimum - 0.01) found.push(el.tagName + ' ' + px + 'px: '
                                                   + el.textContent.trim().slice(0, 60));
      }
      return found;
    }""", minimum)
    page.emulate_media(media="screen")
    return small


def assert_accessible_in_print(page):
    """Check the page with axe-core as it prints (colours and sizes of print media)."""
    page.emulate_media(media="print")
    try:
        assert_accessible(page)
    finally:
        page.emulate_media(media="screen")


def small_print_text(page):
    """Return the visible texts of the patient sheet set below 12 pt in print."""
    return print_text_below(page, PRINT_PT_MIN)


def pdf_pages(page):
    """Return how many A4 pages the page prints to."""
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    page.emulate_media(media="screen")
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_every_clinician_print_fits_one_page_and_every_patient_sheet_two(page, clinician):
    # Every case, the held-out long ones too (three lesions; two alerts), in one session.
    wrong = []
    for case in LONG_CASES:
        pk = consultation_for(case, clinician).pk
        page.goto(f"/consultations/{pk}/print/clinician/")
        if (pages := pdf_pages(page)) != 1:
            wrong.append(f"{case}: the clinician print runs to {pages} A4 pages")
        wrong += [f"{case} clinician print: {text}"
                  for text in print_text_below(page, CLINICIAN_PT_MIN)]
        page.goto(f"/consultations/{pk}/print/patient/")
        if (pages := pdf_pages(page)) > 2:
            wrong.append(f"{case}: the patient sheet runs to {pages} A4 pages")
        wrong += [f"{case} patient sheet: {text}" for text in small_print_text(page)]
    assert wrong == []


@pytest.mark.parametrize("case", SHOWN)
def test_result_and_both_prints_are_accessible_and_photographed(page, clinician, case):
    consultation = consultation_for(case, clinician)
    page.goto(f"/consultations/{consultation.pk}/")
    shoot(page, f"{case}-result-top", full_page=False)
    shoot(page, f"{case}-result-full")
    assert_accessible(page)
    # Every "Criteria and rules" and "Record what was decided" opened: its headings in order.
    page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
    shoot(page, f"{case}-result-details-open")
    assert_accessible(page)
    page.get_by_role("link", name="Print clinician summary").click()
    page.wait_for_url(f"**/consultations/{consultation.pk}/print/clinician/")
    pages = shoot(page, f"{case}-print-clinician", media="print")
    assert pages == 1, f"{case}: the clinician print runs to {pages} A4 pages"
    assert_accessible(page)
    assert_accessible_in_print(page)
    page.go_back()
    page.get_by_role("link", name="Print patient summary").click()
    page.wait_for_url(f"**/consultations/{consultation.pk}/print/patient/")
    shoot(page, f"{case}-print-patient", media="print")
    assert_accessible(page)
    assert_accessible_in_print(page)
    assert small_print_text(page) == []
