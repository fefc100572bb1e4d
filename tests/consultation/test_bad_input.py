"""Hostile or odd input gets a plain refusal, never a 500, on SQLite and PostgreSQL alike."""

import unicodedata

import pytest
from django.test import Client

from options.consultation.models import Consultation
from options.consultation.services import consultation_create
from options.validation import PATIENT_REF_PATTERN, patient_ref_problem, validate_assessment
from tests.builders import assessment

pytestmark = pytest.mark.django_db

COMPOSED = unicodedata.normalize("NFC", "Zoé-12")
DECOMPOSED = unicodedata.normalize("NFD", "Zoé-12")
# Control and format characters: each looks like nothing, so two references that differ by
# one look alike (category Cc or Cf).
INVISIBLE = {
    "nul": "\x00", "escape": "\x1b", "zero-width-space": "\u200b",
    "zero-width-joiner": "\u200d", "left-to-right-embedding": "\u202a",
    "right-to-left-override": "\u202e", "first-strong-isolate": "\u2068",
    "pop-directional-isolate": "\u2069", "byte-order-mark": "\ufeff", "soft-hyphen": "\u00ad",
    "tag-character": "\U000e0041",
}


def client_raising():
    """A browser whose requests re-raise any server error, so a 500 fails loudly."""
    return Client(raise_request_exception=True)


@pytest.fixture
def clinician_raising(clinician):
    client = client_raising()
    client.force_login(clinician)
    return client


def stored(clinician, ref):
    return consultation_create(data=assessment(patient_ref=ref), channel="form", by=clinician)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"], ids=["site", "admin"])
def test_an_over_long_username_at_sign_in_is_a_form_error(url):
    response = client_raising().post(url, {"username": "a" * 256, "password": "anything"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"], ids=["site", "admin"])
def test_a_nul_in_the_username_at_sign_in_is_a_form_error(url):
    response = client_raising().post(url, {"username": "dr\x00x", "password": "anything"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()


def test_a_nul_in_the_list_search_is_refused_and_never_kept(clinician_raising, clinician,
                                                            published_ruleset):
    stored(clinician, "LOCAL-77")
    clinician_raising.post("/consultations/", {"q": "LOCAL"})
    refused = clinician_raising.post("/consultations/", {"q": "LOC\x00AL"})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "There is a problem" in html and "without control or invisible" in html
    assert clinician_raising.session["consultation_search"] == "LOCAL"
    assert "LOCAL-77" in clinician_raising.get("/consultations/").content.decode()


def test_a_search_term_kept_before_the_refusal_existed_is_dropped(clinician_raising):
    session = clinician_raising.session
    session["consultation_search"] = "AB\x00"
    session.save()
    assert clinician_raising.get("/consultations/").status_code == 200
    assert clinician_raising.session["consultation_search"] == ""


@pytest.mark.parametrize("ref", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_an_invisible_character_in_the_list_search_is_refused(clinician_raising, ref):
    refused = clinician_raising.post("/consultations/", {"q": f"AB{ref}12"})
    assert refused.status_code == 200
    assert "consultation_search" not in clinician_raising.session


def test_a_decomposed_search_finds_the_composed_reference(clinician_raising, clinician,
                                                          published_ruleset):
    stored(clinician, COMPOSED)
    stored(clinician, "OTHER-1")
    clinician_raising.post("/consultations/", {"q": DECOMPOSED})
    html = clinician_raising.get("/consultations/").content.decode()
    assert COMPOSED in html and "OTHER-1" not in html


@pytest.mark.parametrize("source", ["²", "٣", "1" * 5000, "99999999999999999999", "-1"],
                         ids=["superscript", "arabic-indic", "5000-digits", "beyond-bigint",
                              "negative"])
def test_copying_from_an_odd_number_is_ignored_or_not_found(clinician_raising, source):
    response = clinician_raising.get("/consultations/new/", {"from": source})
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("action", ["remove-lesions-" + "9" * 5000, "remove-lesions-٣",
                                    "remove-prior_treatments-99999", "add-everything"],
                         ids=["5000-digits", "arabic-indic", "beyond-rows", "unknown"])
def test_an_odd_row_button_leaves_the_form_as_it_was(clinician_raising, action):
    response = clinician_raising.post("/consultations/new/", {
        "action": action, "lesions-TOTAL_FORMS": "1", "lesions-0-site": "femur"})
    assert response.status_code == 200
    assert 'name="lesions-0-site"' in response.content.decode()


@pytest.mark.parametrize("field", ["age_years", "lesions-TOTAL_FORMS", "copied_from",
                                   "corrected_calcium_mmol_l"])
def test_thousands_of_digits_in_a_number_are_refused_or_ignored(clinician_raising,
                                                                published_ruleset, field):
    response = clinician_raising.post("/consultations/new/", {
        "cancer_type": "breast", "action": "submit", field: "9" * 5000})
    assert response.status_code in (200, 302)  # a form error, or a row count taken as none


# Patient references: one validator, NFC, and no invisible characters.

def test_a_decomposed_patient_reference_is_stored_composed():
    assert validate_assessment(assessment(patient_ref=DECOMPOSED))["patient_ref"] == COMPOSED


@pytest.mark.parametrize("char", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_a_patient_reference_with_an_invisible_character_is_refused(char):
    assert "invisible" in patient_ref_problem(f"AB{char}12")


@pytest.mark.parametrize("char", [c for c in INVISIBLE.values() if c <= "\uffff"],
                         ids=[k for k, c in INVISIBLE.items() if c <= "\uffff"])
def test_the_published_pattern_refuses_what_the_validator_refuses_in_the_bmp(char):
    import re

    assert not re.match(PATIENT_REF_PATTERN, f"AB{char}12")
    assert re.match(PATIENT_REF_PATTERN, COMPOSED) and re.match(PATIENT_REF_PATTERN, DECOMPOSED)


def test_the_form_stores_a_decomposed_reference_composed(clinician_raising, clinician,
                                                         published_ruleset):
    from options.web.consultation_form import data_from_assessment

    data = {**data_from_assessment(assessment(patient_ref=DECOMPOSED)), "action": "submit"}
    response = clinician_raising.post("/consultations/new/", data)
    assert response.status_code == 302
    assert Consultation.objects.get(clinician=clinician).patient_ref == COMPOSED


def test_the_api_search_finds_a_composed_reference_by_its_decomposed_form(ehr_client,
                                                                         published_ruleset):
    ehr_client.post("/api/v1/consultations", assessment(patient_ref=COMPOSED), format="json")
    found = ehr_client.get("/api/v1/consultations", {"patient_ref": DECOMPOSED})
    assert found.status_code == 200
    assert [c["assessment"]["patient_ref"] for c in found.json()["results"]] == [COMPOSED]


def test_deeply_nested_answers_to_the_calculator_are_a_400(clinician_raising):
    body = "[" * 100_000 + "]" * 100_000
    response = clinician_raising.post("/consultations/derive/", body,
                                      content_type="application/json")
    assert response.status_code == 400


def test_the_evaluate_command_refuses_deeply_nested_json(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CommandError, match="nested too deeply") as refused:
        call_command("evaluate", str(path))
    assert refused.value.returncode == 2
