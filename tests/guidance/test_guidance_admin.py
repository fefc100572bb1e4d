"""The rules console in the admin: who may open it, and an editor's whole change in a browser."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from guidance.models import Rule, RuleSet, Scenario
from guidance.services import default_ruleset_data, ruleset_create_draft, scenarios_load_shared
from options.consultation.services import consultation_create, evaluate_assessment
from tests.guidance_builders import (
    calcium_assessment,
    calcium_scenario,
    hypocalcaemia_draft,
    publish_reviewed,
)

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = [
    "/admin/guidance/rule/",
    "/admin/guidance/ruleset/",
    "/admin/guidance/guidancedocument/",
    "/admin/guidance/scenario/",
    "/admin/guidance/scenario/add/",
    "/admin/guidance/ruleset/import/",
]


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(username="root"))
    return client


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_anonymous_visitors_are_sent_to_the_admin_login(anonymous_client, url):
    response = anonymous_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_clinicians_cannot_open_the_rules_console(clinician_client, url):
    response = clinician_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_guidance_editors_can_open_the_rules_console(guidance_editor_client, url):
    assert guidance_editor_client.get(url).status_code == 200


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_superusers_can_open_the_rules_console(superuser_client, url):
    assert superuser_client.get(url).status_code == 200


def test_staff_without_the_editor_role_cannot_open_guidance(client, django_user_model,
                                                            published_ruleset):
    client.force_login(django_user_model.objects.create_user(username="it", is_staff=True))
    assert client.get("/admin/guidance/rule/").status_code == 403
    url = reverse("admin:guidance_ruleset_test", args=[published_ruleset.pk])
    assert client.get(url).status_code == 403
    publish = reverse("admin:guidance_ruleset_new_draft", args=[published_ruleset.pk])
    assert client.post(publish).status_code == 403
    assert RuleSet.objects.count() == 1


def test_a_clinician_cannot_publish_by_posting_to_the_console(clinician_client,
                                                              published_ruleset,
                                                              guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    for step in ("submit", "review", "publish", "rollback"):
        url = reverse(f"admin:guidance_ruleset_{step}", args=[draft.pk])
        assert clinician_client.post(url, {"summary": "x", "approve": "1"}).status_code == 302
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.DRAFT


def test_overdue_documents_are_flagged_with_an_icon_and_a_word(guidance_editor_client,
                                                               published_ruleset):
    response = guidance_editor_client.get("/admin/guidance/guidancedocument/")
    page = response.content.decode()
    assert published_ruleset.documents.get(code="TA265").review_overdue
    assert re.search(r'<strong class="review-overdue"><svg class="mark mark-warning" '
                     r'aria-hidden="true"[^>]*><use href="[^"]+#warning"></use></svg> '
                     r"Overdue</strong> since 24 Oct 2015", page)
    overdue = guidance_editor_client.get("/admin/guidance/guidancedocument/?review=overdue")
    assert "TA265" in overdue.content.decode()


def test_a_published_rule_opens_read_only(guidance_editor_client, published_ruleset):
    rule = published_ruleset.rules.get(code="DEF-HYPOCALCAEMIA")
    url = reverse("admin:guidance_rule_change", args=[rule.pk])
    page = guidance_editor_client.get(url).content.decode()
    assert 'name="condition"' not in page
    response = guidance_editor_client.post(url, {"code": "X"})
    assert response.status_code == 403
    assert Rule.objects.get(pk=rule.pk).code == "DEF-HYPOCALCAEMIA"


def rule_form_data(rule, **changes):
    data = {name: getattr(rule, name) for name in
            ("code", "option", "effect", "status", "priority", "defines", "alert_code",
             "alert_severity", "section", "text", "patient_text", "lock_version")}
    data.update(guidance=rule.guidance_id, condition=json.dumps(rule.condition),
                change_reason="Test: local wording")
    return {**data, **changes}


def test_a_condition_error_is_shown_beside_the_field_with_its_path(guidance_editor_client,
                                                                   published_ruleset,
                                                                   guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    url = reverse("admin:guidance_rule_change", args=[rule.pk])
    bad = json.dumps({"any": [{"fact": "corrected_calcium_mmol_l", "lt": 2.1},
                              {"fact": "calcium", "lt": 2}]})
    response = guidance_editor_client.post(url, rule_form_data(rule, condition=bad))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["condition"]
    assert errors[0].startswith("condition.any[1].fact: unknown fact 'calcium'")
    assert Rule.objects.get(pk=rule.pk).condition["lt"] == 2.2


def test_the_later_of_two_saves_of_one_rule_is_refused_and_keeps_its_input(
        client, guidance_editor, django_user_model, published_ruleset):
    from django.test import Client

    from options.identity.roles import EDITOR
    from tests.conftest import user_in_role

    other = user_in_role(django_user_model, username="second_editor", role=EDITOR)
    first, second = Client(), Client()
    first.force_login(other)
    second.force_login(guidance_editor)
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    url = reverse("admin:guidance_rule_change", args=[rule.pk])
    opened = rule_form_data(rule)  # both editors open the form at lock_version 0

    saved = first.post(url, {**opened, "text": "First editor's wording."})
    assert saved.status_code == 302
    refused = second.post(url, {**opened, "text": "Second editor's wording."})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "was changed by second_editor at" in page
    assert "Second editor&#x27;s wording." in page
    assert Rule.objects.get(pk=rule.pk).text == "First editor's wording."
    # The form now carries the current version: saving again, knowingly, replaces it.
    assert refused.context["adminform"].form["lock_version"].value() == 1
    again = second.post(url, {**opened, "lock_version": 1, "text": "Second editor's wording."})
    assert again.status_code == 302
    assert Rule.objects.get(pk=rule.pk).text == "Second editor's wording."
    users = [r.history_user for r in Rule.history.filter(id=rule.pk).order_by("history_date")]
    assert users[-2:] == [other, guidance_editor]


def test_an_editor_drafts_and_submits_and_a_safety_officer_approves_in_the_browser(
        guidance_editor_client, published_ruleset, guidance_editor, safety_officer):
    client = guidance_editor_client
    scenarios_load_shared()
    scenario = calcium_scenario()
    consultation_create(data={**calcium_assessment(2.15), "patient_ref": "MRN-4411"},
                        channel="form")

    # 1. A new draft from the published ruleset.
    response = client.post(reverse("admin:guidance_ruleset_new_draft",
                                   args=[published_ruleset.pk]))
    draft = RuleSet.objects.get(state=RuleSet.DRAFT)
    assert response["Location"] == reverse("admin:guidance_ruleset_change", args=[draft.pk])

    # 2. Lower the hypocalcaemia threshold to 2.10 mmol/L in the rule form.
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    condition = json.dumps({"fact": "corrected_calcium_mmol_l", "lt": 2.1})
    response = client.post(reverse("admin:guidance_rule_change", args=[rule.pk]),
                           rule_form_data(rule, condition=condition))
    assert response.status_code == 302

    # 3. Test the draft against its own expectations: the editor's scenario fails, and so
    # does the threshold scenario just below 2.20 (TH-CALCIUM-2.15).
    test_url = reverse("admin:guidance_ruleset_test", args=[draft.pk])
    page = client.get(test_url).content.decode()
    total = Scenario.objects.count()
    assert f"2 of {total} scenarios fail" in page
    assert "expected contraindicated, got recommended" in page

    # 4. Preview impact: status and hold change, anonymised.
    page = client.get(reverse("admin:guidance_ruleset_impact", args=[draft.pk])).content.decode()
    assert "ED-CALCIUM-215" in page and "Recent case 1" in page
    assert "TH-CALCIUM-2.15" in page
    assert "contraindicated &rarr; recommended: 3" in page
    assert "on hold &rarr; not on hold: 3" in page
    assert "MRN-4411" not in page

    # 5. Submitting is refused while the scenario fails.
    submit_url = reverse("admin:guidance_ruleset_submit", args=[draft.pk])
    response = client.post(submit_url, {"summary": "Local lab range"}, follow=True)
    assert "Not done: 2 scenario(s) fail" in response.content.decode()
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.DRAFT

    # 6. Change the draft's expectations with a reason: the form starts from what is
    # expected now, and from the draft's result when asked to.
    for code in (scenario.code, "TH-CALCIUM-2.15"):
        expectation_url = (reverse("admin:guidance_ruleset_expectation",
                                   args=[draft.pk, code]) + f"?next={test_url}")
        form = client.get(expectation_url).context["form"]
        assert form.initial["expected_denosumab"] == "contraindicated"
        form = client.get(expectation_url + "&from=draft").context["form"]
        assert form.initial["expected_denosumab"] == "recommended"
        assert form.initial["expected_hold_options"] == []
        data = {**{k: v for k, v in form.initial.items() if k.startswith("expected_")},
                "expected_hold_options": [], "reason": "Local lab range: below 2.10 mmol/L"}
        response = client.post(expectation_url, data)
        assert response["Location"] == test_url
    row = draft.expectations.get(code=scenario.code)
    assert (row.expected["denosumab"], row.note) == ("recommended",
                                                     "Local lab range: below 2.10 mmol/L")
    scenario.refresh_from_db()
    assert scenario.expected["denosumab"] == "contraindicated"  # the library is untouched

    # 7. Submit with a summary: the draft freezes.
    assert f"All {total} scenarios pass" in client.get(test_url).content.decode()
    client.post(submit_url, {"summary": "Hypocalcaemia below 2.10 mmol/L, as our lab"})
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.IN_REVIEW

    # 8. The author cannot approve it; a clinical safety officer can.
    review_url = reverse("admin:guidance_ruleset_review", args=[draft.pk])
    officer = Client()
    officer.force_login(safety_officer)
    page = officer.get(review_url).content.decode()
    assert "DEF-HYPOCALCAEMIA" in page and "Local lab range: below 2.10 mmol/L" in page
    officer.post(review_url, {"approve": "1", "comment": "Matches the lab's range"})
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.APPROVED

    # 9. Publish: author, reviewer and impact recorded; the next evaluation uses it.
    client.post(reverse("admin:guidance_ruleset_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert (draft.state, draft.published_by) == (RuleSet.PUBLISHED, guidance_editor)
    publication = draft.publications.get()
    assert (publication.author, publication.reviewer) == (guidance_editor, safety_officer)
    assert publication.impact["options"]["bisphosphonate"]["hold"]["consultations"] == 1
    result = evaluate_assessment(data=calcium_assessment(2.15), channel="form")
    assert result["ruleset"]["version"] == draft.version


def test_rolling_back_from_the_console(guidance_editor_client, published_ruleset,
                                       guidance_editor, safety_officer):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    url = reverse("admin:guidance_ruleset_rollback", args=[published_ruleset.pk])
    assert guidance_editor_client.get(url).status_code == 200  # the form asks why
    guidance_editor_client.post(url, {"reason": "Wrong lab range published"})
    assert RuleSet.objects.get(state=RuleSet.PUBLISHED) == published_ruleset
    assert published_ruleset.publications.get(kind="emergency_rollback").needs_review


def test_export_downloads_the_ruleset_as_json(guidance_editor_client, published_ruleset):
    response = guidance_editor_client.get(
        reverse("admin:guidance_ruleset_export", args=[published_ruleset.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="ruleset-2026.3.json"'
    assert len(json.loads(response.content)["rules"]) == 128


def upload(data, name="ruleset.json"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_an_uploaded_ruleset_becomes_a_draft(guidance_editor_client, published_ruleset):
    data = {**default_ruleset_data(), "version": "2026.3-review"}
    response = guidance_editor_client.post(reverse("admin:guidance_ruleset_import"),
                                           {"file": upload(data)})
    imported = RuleSet.objects.get(version="2026.3-review")
    assert response["Location"] == reverse("admin:guidance_ruleset_change", args=[imported.pk])
    assert imported.state == RuleSet.DRAFT and imported.rules.count() == 128


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "Not valid JSON: line 1, column 2"),
    ({"version": "2099.1", "rules": [{"code": "X"}]}, "rules[0].effect: must be text"),
], ids=["not-json", "rule-without-effect"])
def test_a_rejected_upload_lists_where_the_file_is_wrong(guidance_editor_client,
                                                        published_ruleset, content, message):
    response = guidance_editor_client.post(reverse("admin:guidance_ruleset_import"),
                                           {"file": upload(content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert RuleSet.objects.count() == 1


def test_an_editor_adds_a_scenario_with_expected_statuses(guidance_editor_client, db):
    data = {"code": "ED-1", "title": "Renal, calcium 2.15",
            "assessment": json.dumps(calcium_assessment(2.15)),
            "expected_bisphosphonate": "recommended", "expected_denosumab": "contraindicated",
            "expected_cementoplasty": "not_recommended",
            "expected_vertebroplasty": "not_recommended",
            "expected_kyphoplasty": "not_recommended",
            "expected_hold_options": ["bisphosphonate"], "expected_alert_codes": "",
            "expectation_note": "Threshold check"}
    response = guidance_editor_client.post("/admin/guidance/scenario/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    scenario = Scenario.objects.get(code="ED-1")
    assert scenario.source == "editor" and scenario.expected_hold == ["bisphosphonate"]
    assert scenario.expected["denosumab"] == "contraindicated"


def test_a_scenario_with_an_invalid_assessment_is_refused_with_its_path(
        guidance_editor_client, db):
    data = {"code": "ED-2", "title": "bad", "assessment": json.dumps({"cancer_type": "skin"}),
            **{f"expected_{o}": "recommended" for o in
               ("bisphosphonate", "denosumab", "cementoplasty", "vertebroplasty",
                "kyphoplasty")}}
    response = guidance_editor_client.post("/admin/guidance/scenario/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["assessment"]
    assert any(error.startswith("cancer_type:") for error in errors)
    assert not Scenario.objects.filter(code="ED-2").exists()


def test_current_version_reports_the_published_ruleset(anonymous_client, published_ruleset):
    response = anonymous_client.get("/guidance/current-version")
    assert response.json() == {"version": "2026.3"}


def test_a_published_ruleset_opens_read_only_with_its_actions(guidance_editor_client,
                                                              published_ruleset):
    url = reverse("admin:guidance_ruleset_change", args=[published_ruleset.pk])
    page = guidance_editor_client.get(url).content.decode()
    assert 'name="title"' not in page and 'name="_save"' not in page
    assert "New draft from this" in page
    response = guidance_editor_client.post(url, {"title": "Changed"})
    assert response.status_code == 403
    assert RuleSet.objects.get(pk=published_ruleset.pk).title != "Changed"


def test_a_shared_scenario_that_no_longer_validates_can_still_be_renamed(
        guidance_editor_client, db):
    scenarios_load_shared()
    scenario = Scenario.objects.get(code="V01")
    Scenario.objects.filter(pk=scenario.pk).update(
        assessment={**scenario.assessment, "cancer_type": "skin"})
    url = reverse("admin:guidance_scenario_change", args=[scenario.pk])
    response = guidance_editor_client.post(url, {"title": "Renamed"})
    assert response.status_code == 200
    assert "cancer_type" in str(response.context["adminform"].form.non_field_errors())


def test_an_editor_adds_a_rule_to_a_draft(guidance_editor_client, published_ruleset,
                                          guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    document = draft.documents.get(code="TA265")
    data = {"ruleset": draft.pk, "code": "DMAB-NOTE-LOCAL", "option": "denosumab",
            "effect": "note", "status": "", "priority": 50, "defines": "", "alert_code": "",
            "alert_severity": "", "guidance": document.pk, "section": "1.1",
            "text": "Local note.", "patient_text": "", "lock_version": 0,
            "condition": json.dumps({"fact": "hypocalcaemia", "is": True}),
            "change_reason": "Local note on calcium"}
    response = guidance_editor_client.post(reverse("admin:guidance_rule_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = draft.rules.get(code="DMAB-NOTE-LOCAL")
    assert rule.history.first().history_user == guidance_editor
    assert RuleSet.objects.get(pk=draft.pk).lock_version == 1
    published = {"ruleset": published_ruleset.pk, **{k: v for k, v in data.items()
                                                     if k != "ruleset"}}
    response = guidance_editor_client.post(reverse("admin:guidance_rule_add"), published)
    assert "ruleset" in response.context["adminform"].form.errors


def test_editor_removes_rules_from_a_draft_but_never_from_a_published_ruleset(
        guidance_editor_client, published_ruleset):
    from guidance.models import Rule
    from guidance.services import ruleset_create_draft

    draft = ruleset_create_draft(source=published_ruleset, by=None)
    in_draft = draft.rules.get(code="PC-COND-MDT").pk
    published = published_ruleset.rules.get(code="PC-COND-MDT").pk
    mixed = guidance_editor_client.post("/admin/guidance/rule/", {
        "action": "delete_selected", "_selected_action": [in_draft, published], "post": "yes"})
    assert mixed.status_code == 403
    assert Rule.objects.filter(pk__in=[in_draft, published]).count() == 2
    guidance_editor_client.post("/admin/guidance/rule/", {
        "action": "delete_selected", "_selected_action": [in_draft], "post": "yes"})
    assert not Rule.objects.filter(pk=in_draft).exists()
    assert Rule.objects.filter(pk=published).exists()


def test_the_expected_alerts_hint_names_alert_codes_the_rules_raise(published_ruleset):
    """The hint's examples are codes an alert rule raises, not a rule code."""
    import re

    from guidance.console.forms import expectation_fields

    hint = str(expectation_fields()["expected_alert_codes"].help_text)
    examples = re.search(r"for example ([\w, ]+)\.", hint).group(1).split(", ")
    raised = set(published_ruleset.rules.filter(effect="alert")
                 .values_list("alert_code", flat=True))
    assert examples and set(examples) <= raised, (examples, raised)


def test_a_rule_edit_says_why_and_the_history_keeps_it(guidance_editor_client, published_ruleset,
                                                      guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    rule = draft.rules.get(code="BP-CAUT-CREATININE")
    url = f"/admin/guidance/rule/{rule.pk}/change/"
    refused = guidance_editor_client.post(url, rule_form_data(
        rule, text="Measure serum creatinine before each dose.", change_reason=""))
    assert refused.status_code == 200
    assert "change_reason" in refused.context["adminform"].form.errors
    rule.refresh_from_db()
    assert rule.text == "Measure serum creatinine before every dose of zoledronic acid."
    saved = guidance_editor_client.post(url, rule_form_data(
        rule, text="Measure serum creatinine before each dose.",
        change_reason="Shorter, same meaning"))
    assert saved.status_code == 302
    assert rule.history.first().history_change_reason == "Shorter, same meaning"
    # A published rule is shown without asking why: it cannot change.
    live = published_ruleset.rules.get(code="BP-CAUT-CREATININE")
    shown = guidance_editor_client.get(f"/admin/guidance/rule/{live.pk}/change/")
    assert shown.status_code == 200 and "Why it changes" not in shown.content.decode()
