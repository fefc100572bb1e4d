"""In a real browser: shared scenarios entered by hand, and axe-core on every page.

Chromium, the fixtures and the helpers are in tests/browser.py.
"""

from options.choices import label
from options.web.forms import AssessmentForm, YesNoField
from tests.browser import (
    BROWSER_TESTS,
    RESULT_URL,
    assert_accessible,
    assert_statuses,
    enter_by_hand,
    expect,
    scenario,
    shot,
    sign_in,
)

pytestmark = BROWSER_TESTS


def test_sign_in_page_is_accessible(page):
    page.goto("/accounts/login/")
    shot(page, "01-sign-in")
    assert_accessible(page)


def test_v06_entered_by_hand_shows_its_statuses_and_prints(page, clinician):
    data = scenario("V06")
    sign_in(page, clinician.username)
    shot(page, "02-form-empty")
    assert_accessible(page)
    enter_by_hand(page, data["assessment"])
    assert page.locator("[data-score]").first.inner_text() == "SINS 10 (Indeterminate)"
    shot(page, "04-form-with-lesion")
    assert_accessible(page)
    page.get_by_role("button", name="Get advice and save").click()
    page.wait_for_url(RESULT_URL)
    assert_statuses(page, data["expected"])
    shot(page, "05-result-v06")
    assert_accessible(page)
    page.get_by_role("link", name="Print clinician summary").click()
    expect(page.get_by_role("heading", name="clinician summary")).to_be_visible()
    shot(page, "08-print-clinician", media="print")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Print patient summary").click()
    expect(page.get_by_role("heading", name="Treatments to strengthen your bones")).to_be_visible()
    expect(page.get_by_text("as a drip into a vein")).to_be_visible()
    shot(page, "09-print-patient", media="print")
    assert_accessible(page)
    page.get_by_role("link", name="Consultations", exact=True).click()
    expect(page.get_by_role("heading", name="Your consultations")).to_be_visible()
    assert page.locator("tbody tr").count() == 1
    shot(page, "07-list")
    assert_accessible(page)


def test_v07_shows_the_cord_compression_emergency(page, clinician):
    data = scenario("V07")
    sign_in(page, clinician.username)
    enter_by_hand(page, data["assessment"])
    page.get_by_role("button", name="Get advice and save").click()
    page.wait_for_url(RESULT_URL)
    assert_statuses(page, data["expected"])
    emergency = page.locator(".nhsuk-card--care--emergency")
    expect(emergency).to_be_visible()
    assert "24 hours" in emergency.inner_text()
    shot(page, "06-result-v07-mscc")
    assert_accessible(page)


def test_v09_entered_with_the_keyboard_alone(page, clinician):
    data = scenario("V09")
    sign_in(page, clinician.username)
    keyboard = page.keyboard

    def choose(locator):
        locator.focus()
        keyboard.press("Space")

    def press_button(name):
        page.get_by_role("button", name=name).focus()
        keyboard.press("Enter")
        page.wait_for_load_state()

    def pick(locator, text):
        locator.focus()
        keyboard.type(text)

    choose(page.get_by_role("radio", name="Breast"))
    choose(page.get_by_role("group", name=AssessmentForm.base_fields["bone_metastases"].label)
           .get_by_label("Yes", exact=True))
    press_button("Add a lesion")
    row = page.get_by_role("group", name="Lesion 1", exact=True)
    pick(row.get_by_label("Site", exact=True), "Upper")
    pick(row.get_by_label("Lesion type", exact=True), "Lytic")
    pick(row.get_by_label("Pain", exact=True), "Moderate")
    pick(row.get_by_label("Cortical involvement (Mirels size)"), "Under")
    fracture = row.get_by_role("group", name="Pathological fracture present?")
    choose(fracture.get_by_label("No", exact=True))
    assert row.locator("[data-score]").inner_text() == "Mirels 7 (Low)"
    assessment = {k: v for k, v in data["assessment"].items()
                  if k not in ("cancer_type", "bone_metastases", "lesions")}
    for index, prior in enumerate(assessment.pop("prior_treatments")):
        press_button("Add another treatment" if index else "Add a treatment")
        prior_row = page.get_by_role("group", name=f"Treatment {index + 1}", exact=True)
        pick(prior_row.get_by_label("Treatment", exact=True), label(prior["treatment"]))
        pick(prior_row.get_by_label("Response"), label(prior["response"]))
        if "weeks_ago" in prior:
            pick(prior_row.get_by_label("Weeks ago"), str(prior["weeks_ago"]))
    for name, value in assessment.items():
        field = AssessmentForm.base_fields[name]
        if isinstance(field, YesNoField):
            group = page.get_by_role("group", name=field.label)
            choose(group.get_by_label("Yes" if value else "No", exact=True))
        else:
            pick(page.get_by_label(field.label), str(value))
    keyboard.press("Enter")  # from the last text box: the form's default button submits
    page.wait_for_url(RESULT_URL)
    assert_statuses(page, data["expected"])


def test_errors_are_summarised_and_linked_to_their_fields(page, clinician):
    sign_in(page, clinician.username)
    page.get_by_label("Patient reference").fill("9434765918")
    page.get_by_role("button", name="Get advice and save").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    shot(page, "03-form-with-errors")
    assert_accessible(page)
    summary.get_by_role("link", name="Select the primary cancer").click()
    assert page.evaluate("document.activeElement.id") == "id_cancer_type_0"
    assert page.get_by_label("Patient reference").input_value() == "9434765918"
