"""The side doors around two-person governance, tried as an attacker would and judged by the
outcome: what a patient with corrected calcium 2.0 mmol/L, or an EHR whose record shows cord
compression, is told afterwards.

The published default contraindicates denosumab below 2.20 mmol/L (DEF-HYPOCALCAEMIA) and
holds a bisphosphonate until calcium is corrected.
"""

import json

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.forms.models import model_to_dict
from django.test import Client

from guidance.console.history import HistoryAdmin
from guidance.content import ruleset_digest
from guidance.drafting import code_entry_save, document_save, ruleset_details_save
from guidance.governance import (
    GovernanceRefused,
    ruleset_approve,
    ruleset_publish,
    ruleset_submit,
)
from guidance.guards import RuleSetFrozen
from guidance.models import CodeListEntry, GuidanceDocument, Rule, RuleSet, Scenario
from guidance.services import ruleset_create_draft, scenarios_load_shared
from options.consultation.services import evaluate_assessment
from options.identity.roles import SAFETY_OFFICER
from tests.conftest import user_in_role
from tests.guidance_builders import calcium_assessment, publish_reviewed

pytestmark = pytest.mark.django_db


def patient_told():
    """What a breast-cancer patient with corrected calcium 2.0 mmol/L is told now."""
    result = evaluate_assessment(data=calcium_assessment(2.0), channel="form")
    options = {o["option"]: o for o in result["options"]}
    return (result["ruleset"]["version"], options["denosumab"]["status"],
            options["bisphosphonate"]["hold"])


def history_url(obj, history_id):
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/history/{history_id}/"


def history_row(obj, **state):
    return obj.history.filter(**state).order_by("-history_id").first().history_id


def rule_form(rule, **changes):
    """The rule admin's form data for `rule`, with changes."""
    data = {name: getattr(rule, name) for name in (
        "code", "option", "effect", "status", "priority", "defines", "alert_code",
        "alert_severity", "section", "text", "patient_text", "editor_note", "lock_version")}
    data.update(ruleset=rule.ruleset_id, guidance=rule.guidance_id,
                condition=json.dumps(rule.condition), change_reason="A harmless change")
    if rule.temporary:
        data["temporary"] = "on"
    return {**data, **changes}


@pytest.fixture
def second_officer(django_user_model):
    return user_in_role(django_user_model, username="cso_second", role=SAFETY_OFFICER)


@pytest.fixture
def officer_client(safety_officer):
    """A browser of its own, signed in as the safety officer (beside the editor's)."""
    browser = Client()
    browser.force_login(safety_officer)
    return browser


@pytest.fixture
def approved_draft(published_ruleset, guidance_editor, safety_officer):
    """2026.4: a harmless change, submitted by the editor and approved by an officer."""
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    draft.notes = f"{draft.notes}\nWording only."
    ruleset_details_save(ruleset=draft, by=guidance_editor)
    ruleset_submit(ruleset=draft, by=guidance_editor, summary="Wording only")
    ruleset_approve(ruleset=draft, by=safety_officer, comment="Wording checked")
    draft.refresh_from_db()
    return draft


def test_the_revert_sequence_cannot_publish_a_lowered_threshold(
        approved_draft, guidance_editor, guidance_editor_client):
    assert patient_told() == ("2026.3", "contraindicated", True)
    form = {"title": approved_draft.title, "notes": approved_draft.notes}
    # 1. Back to its draft state through the history page: refused, nothing changes.
    response = guidance_editor_client.post(
        history_url(approved_draft, history_row(approved_draft, state=RuleSet.DRAFT)), form)
    assert response.status_code == 405
    approved_draft.refresh_from_db()
    assert approved_draft.state == RuleSet.APPROVED
    # 2. Lower the threshold in the rule admin: the approved draft is read-only.
    rule = approved_draft.rules.get(code="DEF-HYPOCALCAEMIA")
    lowered = json.dumps({"fact": "corrected_calcium_mmol_l", "lt": 1.0})
    response = guidance_editor_client.post(f"/admin/guidance/rule/{rule.pk}/change/",
                                           rule_form(rule, condition=lowered))
    assert response.status_code == 403
    # ...and through the models themselves (a shell, a future view).
    rule.condition = json.loads(lowered)
    with pytest.raises(RuleSetFrozen):
        rule.save()
    # 3. "Back" to approved through the history page: refused again.
    response = guidance_editor_client.post(
        history_url(approved_draft, history_row(approved_draft, state=RuleSet.APPROVED)), form)
    assert response.status_code == 405
    # 4. Publish: what goes live is exactly what the officer approved.
    ruleset_publish(ruleset=approved_draft, by=guidance_editor)
    live = Rule.objects.get(ruleset__state=RuleSet.PUBLISHED, code="DEF-HYPOCALCAEMIA")
    assert live.condition == {"fact": "corrected_calcium_mmol_l", "lt": 2.2}
    assert patient_told() == ("2026.4", "contraindicated", True)


@pytest.mark.parametrize("role", ["editor", "safety_officer"])
def test_history_pages_cannot_edit_the_published_ruleset_in_place(
        published_ruleset, guidance_editor, safety_officer, client, role):
    client.force_login(guidance_editor if role == "editor" else safety_officer)
    rule = published_ruleset.rules.get(code="DEF-HYPOCALCAEMIA")
    document = published_ruleset.documents.get(code="TA265")
    attempts = [
        (rule, rule_form(rule, condition=json.dumps(
            {"fact": "corrected_calcium_mmol_l", "lt": 1.0}))),
        (published_ruleset, {"title": "x", "notes": "unpublished"}),
        (document, {"title": document.title, "url": "https://example.org/elsewhere",
                    "publisher": "NICE", "change_reason": "x"}),
    ]
    for obj, data in attempts:
        before = model_to_dict(type(obj).objects.get(pk=obj.pk))
        response = client.post(history_url(obj, history_row(obj)), data)
        assert response.status_code == 405, obj
        assert model_to_dict(type(obj).objects.get(pk=obj.pk)) == before
    assert patient_told() == ("2026.3", "contraindicated", True)
    assert GuidanceDocument.objects.get(pk=document.pk).url != "https://example.org/elsewhere"


def test_the_safety_officer_cannot_write_documents_or_code_lists(
        published_ruleset, guidance_editor, officer_client):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    document = draft.documents.get(code="TA265")
    response = officer_client.post(
        f"/admin/guidance/guidancedocument/{document.pk}/change/",
        {"title": document.title, "url": "https://example.org/elsewhere", "publisher": "NICE",
         "change_reason": "x"})
    assert response.status_code == 403
    entry = draft.code_entries.get(code="71286001")
    response = officer_client.post(f"/admin/guidance/codelistentry/{entry.pk}/change/",
                                   {"value": "true", "change_reason": "x"})
    assert response.status_code == 403
    entry.refresh_from_db()
    document.refresh_from_db()
    assert entry.active and document.url != "https://example.org/elsewhere"


@pytest.mark.parametrize("address", [
    "/admin/guidance/ruleset/1/history/abc/",
    "/admin/guidance/ruleset/abc/history/1/",
    "/admin/guidance/rule/1/history/99999999999999999999999/",
    "/admin/guidance/guidancedocument/1/history/%00/",
], ids=["letters", "object-letters", "huge", "nul"])
def test_a_malformed_history_address_is_not_found(published_ruleset, officer_client, address):
    assert officer_client.post(address, {}).status_code == 404
    assert officer_client.get(address).status_code == 404


def test_every_model_admin_that_shows_history_refuses_a_post(
        published_ruleset, guidance_editor, django_user_model, client):
    scenarios_load_shared()
    ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    tried = []
    for model, model_admin in admin.site._registry.items():
        if not hasattr(model_admin, "history_form_view"):
            continue
        assert isinstance(model_admin, HistoryAdmin), model
        for obj in model.objects.all()[:2]:  # the published ruleset's and the draft's
            before = model_to_dict(obj)
            data = {**{k: v for k, v in before.items() if v is not None}, "title": "changed",
                    "change_reason": "revert"}
            address = history_url(obj, history_row(obj))
            assert client.get(address).status_code == 200, model  # still there to read
            response = client.post(address, data)
            assert response.status_code == 405, (model, response.status_code)
            assert model_to_dict(model.objects.get(pk=obj.pk)) == before
            tried.append(model)
    assert {RuleSet, Rule, GuidanceDocument, CodeListEntry, Scenario} <= set(tried)


def test_state_moves_only_through_the_services(published_ruleset, approved_draft):
    ruleset = RuleSet.objects.get(pk=published_ruleset.pk)
    for state in (RuleSet.DRAFT, RuleSet.RETIRED, RuleSet.APPROVED):
        ruleset.state = state
        with pytest.raises(RuleSetFrozen):
            ruleset.save()
    approved_draft.state = RuleSet.PUBLISHED  # skipping publication's checks and record
    with pytest.raises(RuleSetFrozen):
        approved_draft.save()
    for ruleset in (published_ruleset, approved_draft):
        with pytest.raises((RuleSetFrozen, ProtectedError)):
            RuleSet.objects.get(pk=ruleset.pk).delete()
        with pytest.raises((RuleSetFrozen, ProtectedError)):
            RuleSet.objects.filter(pk=ruleset.pk).delete()
    assert RuleSet.objects.filter(pk=approved_draft.pk, state=RuleSet.APPROVED).exists()
    assert patient_told() == ("2026.3", "contraindicated", True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
@pytest.mark.parametrize("statement", [
    "UPDATE guidance_rule SET condition = '{\"fact\": \"corrected_calcium_mmol_l\", "
    "\"lt\": 1.0}' WHERE code = 'DEF-HYPOCALCAEMIA'",
    "UPDATE guidance_ruleset SET state = 'draft'",
    "UPDATE guidance_ruleset SET title = 'x'",
    "UPDATE guidance_guidancedocument SET url = 'https://example.org/x'",
    "UPDATE guidance_codelistentry SET active = false WHERE code = '71286001'",
    "DELETE FROM guidance_rule WHERE code = 'DEF-HYPOCALCAEMIA'",
    "DELETE FROM guidance_ruleset",
], ids=["rule", "state", "title", "document", "code", "delete-rule", "delete-ruleset"])
def test_postgresql_refuses_writes_that_skip_the_models(published_ruleset, statement):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert patient_told() == ("2026.3", "contraindicated", True)


def test_approval_and_publication_check_the_content_digest(
        published_ruleset, guidance_editor, safety_officer):
    """Content changed behind the models' back after submission: where the database lets it
    (SQLite), approval and publication refuse it; PostgreSQL refuses the write itself."""
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    review = ruleset_submit(ruleset=draft, by=guidance_editor, summary="Nothing")
    assert review.content_digest == ruleset_digest(draft)
    tamper = Rule.objects.filter(ruleset=draft, code="DEF-HYPOCALCAEMIA")
    lowered = {"fact": "corrected_calcium_mmol_l", "lt": 1.0}
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            tamper.update(condition=lowered)
        return
    tamper.update(condition=lowered)
    with pytest.raises(GovernanceRefused, match="not those submitted"):
        ruleset_approve(ruleset=draft, by=safety_officer, comment="Checked")
    tamper.update(condition={"fact": "corrected_calcium_mmol_l", "lt": 2.2})
    ruleset_approve(ruleset=draft, by=safety_officer, comment="Checked")
    tamper.update(condition=lowered)
    with pytest.raises(GovernanceRefused, match="not those safety|approved"):
        ruleset_publish(ruleset=draft, by=guidance_editor)
    assert patient_told() == ("2026.3", "contraindicated", True)


def test_a_rollback_restores_the_documents_and_code_lists_published_with(
        published_ruleset, guidance_editor, safety_officer):
    from guidance.governance import ruleset_rollback

    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    entry = draft.code_entries.get(code="71286001")
    entry.active = False
    code_entry_save(entry=entry, by=guidance_editor, reason="Local coding differs")
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    assert not CodeListEntry.objects.get(ruleset__state=RuleSet.PUBLISHED,
                                         code="71286001").active
    ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk), by=guidance_editor,
                     reason="MSCC card lost")
    assert CodeListEntry.objects.get(ruleset__state=RuleSet.PUBLISHED, code="71286001").active


def test_the_reviewer_sees_document_and_code_changes(
        published_ruleset, guidance_editor, guidance_editor_client, officer_client):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    document = draft.documents.get(code="TA265")
    document.url = "https://example.org/ta265-moved"
    document_save(document=document, by=guidance_editor, reason="NICE moved the page")
    entry = draft.code_entries.get(code="71286001")
    entry.active = False
    code_entry_save(entry=entry, by=guidance_editor, reason="Local coding differs")
    submit = guidance_editor_client.get(f"/admin/guidance/ruleset/{draft.pk}/submit/")
    ruleset_submit(ruleset=draft, by=guidance_editor, summary="Link and code")
    review = officer_client.get(f"/admin/guidance/ruleset/{draft.pk}/review/")
    for page in (submit, review):
        html = page.content.decode()
        assert "https://example.org/ta265-moved" in html and "TA265" in html
        assert "Condition: spinal cord compression: http://snomed.info/sct|71286001" in html
        assert "the critical cord-compression card will not show for them" in html
        assert "Guidance documents changed" in html and "FHIR codes changed" in html


def test_a_scenario_added_to_the_library_is_shown_to_the_reviewer(
        published_ruleset, guidance_editor, guidance_editor_client):
    from tests.guidance_builders import calcium_scenario

    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    calcium_scenario(code="ED-CALCIUM-NEW")
    review = ruleset_submit(ruleset=draft, by=guidance_editor, summary="With a new case")
    added = [c for c in review.expectation_changes if c["code"] == "ED-CALCIUM-NEW"]
    assert added and "added to the library" in added[0]["reason"]
