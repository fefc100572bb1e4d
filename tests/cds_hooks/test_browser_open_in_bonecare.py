"""In a real browser: a card's "Open in BoneCare" link, from a hook call over HTTP to the live
server, asks the clinician to sign in and opens the consultation form pre-filled.

Same set-up as tests/web/test_browser.py. Set BONECARE_SHOTS_DIR to save a screenshot.
"""

import json
import urllib.request

from options.cds_hooks.services import cds_client_create
from options.identity.roles import CLINICIAN, EDITOR
from tests.browser import BROWSER_TESTS, PASSWORD, assert_accessible, local_context, shot
from tests.conftest import user_in_role

from .helpers import PATIENT_VIEW, request_of

pytestmark = BROWSER_TESTS


def _hook_call(live_server, ehr, body):
    url = f"{live_server.url}/cds-services/{PATIENT_VIEW}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {ehr.token(url)}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_open_in_bonecare_shows_the_form_prefilled(page, live_server, clinician, ehr_keys):
    cds_client_create(name="Ward EHR", iss=ehr_keys.iss, jwks=ehr_keys.jwks(),
                      services=[PATIENT_VIEW])
    (card,) = _hook_call(live_server, ehr_keys, request_of("V34"))["cards"]
    (link,) = card["links"]
    assert link["url"].startswith(f"{live_server.url}/consultations/new/?draft=")

    page.goto(link["url"])
    page.get_by_label("Username").fill(clinician.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/consultations/new/?draft=*")

    assert page.get_by_label("Breast", exact=True).is_checked()
    assert page.locator("input[name=weight_kg]").input_value() == "72"
    assert page.locator("input[name=serum_creatinine_umol_l]").input_value() == "80"
    assert page.locator("input[name=age_years]").input_value() == "55"
    assert page.locator("input[name=corrected_calcium_mmol_l]").input_value() == "2.35"
    banner = page.locator("[data-from-record]")
    assert "Corrected calcium" in banner.locator("[data-from-record-answers]").inner_text()
    assert "Bone lesions (imaging findings)" in banner.locator("[data-to-answer]").inner_text()
    assert_accessible(page)
    shot(page, "cds-open-in-bonecare")


def _signed_in_page(browser, live_server, user):
    user.set_password(PASSWORD)
    user.save()
    page = local_context(browser, live_server, width=1100, height=900).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_the_link_pages_for_others_say_what_to_do(browser, live_server, page, clinician,
                                                  ehr_keys, django_user_model):
    cds_client_create(name="Ward EHR", iss=ehr_keys.iss, jwks=ehr_keys.jwks(),
                      services=[PATIENT_VIEW])
    (card,) = _hook_call(live_server, ehr_keys, request_of("V34"))["cards"]
    url = card["links"][0]["url"]

    editor = _signed_in_page(browser, live_server, user_in_role(
        django_user_model, username="editor_b", role=EDITOR))
    editor.goto(url)
    assert "BoneCare cases open for clinicians; ask your administrator" in editor.inner_text(
        "main")
    assert_accessible(editor)
    shot(editor, "cds-open-in-bonecare-not-a-clinician")

    page.goto(url)  # the first clinician holds the draft from now on
    page.get_by_label("Username").fill(clinician.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/consultations/new/?draft=*")
    other = _signed_in_page(browser, live_server, user_in_role(
        django_user_model, username="dr_b", role=CLINICIAN))
    other.goto(url)
    assert "This link has expired: open it again from the EHR" in other.inner_text("main")
    assert_accessible(other)
    shot(other, "cds-open-in-bonecare-expired")
