"""In a real browser: a card's "Open in BoneCare" link, from a hook call over HTTP to the live
server, asks the clinician to sign in and opens the consultation form pre-filled.

Same set-up as tests/test_browser.py. Set BONECARE_SHOTS_DIR to save a screenshot.
"""

import json
import urllib.request

from options.cds_hooks.services import cds_client_create
from tests.browser import BROWSER_TESTS, PASSWORD, shot

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
    shot(page, "cds-open-in-bonecare")
