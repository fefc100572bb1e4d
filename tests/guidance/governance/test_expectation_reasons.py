"""An expectation changes from what is expected now, never silently to the draft's output;
several failing scenarios take the draft's output for one reason, each with its own record,
all or none, through the governance service alone."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from guidance.governance import ruleset_submit
from guidance.models import Expectation, ExpectationChange, GovernanceEvent, RuleSet, Scenario
from guidance.scenarios import accept
from guidance.scenarios.accept import expectations_accept
from guidance.scenarios.diff import expectation_changes
from guidance.scenarios.expectations import ruleset_expectations
from guidance.scenarios.regression import ruleset_test
from guidance.services import scenarios_load_shared
from tests.guidance_builders import calcium_scenario, hypocalcaemia_draft

pytestmark = pytest.mark.django_db
REASON = "Local laboratory: hypocalcaemia below 2.10 mmol/L"
# Under a draft whose hypocalcaemia starts below 2.10 mmol/L, each of these (calcium 2.15,
# 2.12 and the shared threshold case just below 2.20) gets denosumab recommended and nothing
# on hold, where today denosumab is contraindicated and a bisphosphonate on hold.
FAILING = ["ED-CALCIUM-212", "ED-CALCIUM-215", "TH-CALCIUM-2.15"]


@pytest.fixture
def draft(published_ruleset, guidance_editor):
    scenarios_load_shared()
    calcium_scenario("ED-CALCIUM-215", 2.15)
    calcium_scenario("ED-CALCIUM-212", 2.12)
    return hypocalcaemia_draft(published_ruleset, guidance_editor)


@pytest.fixture
def officer_client(safety_officer):
    client = Client()
    client.force_login(safety_officer)
    return client


def expectation(ruleset, code):
    return next(row for row in ruleset_expectations(ruleset) if row.code == code)


def denosumab_expected(ruleset):
    return {code: expectation(ruleset, code).expected["denosumab"] for code in FAILING}


def stored(ruleset):
    """Everything a write would change: the ruleset's expectations and their changes."""
    return (sorted((row.code, row.expected, row.expected_hold, row.note)
                   for row in Expectation.objects.filter(ruleset=ruleset)),
            ExpectationChange.objects.filter(ruleset=ruleset).count())


def form_url(ruleset, code, query=""):
    return reverse("admin:guidance_ruleset_expectation", args=[ruleset.pk, code]) + query


def accept_url(ruleset):
    return reverse("admin:guidance_ruleset_expectations_accept", args=[ruleset.pk])


def test_the_drafts_test_fails_for_the_three_scenarios(draft):
    assert sorted(check.scenario.code for check in ruleset_test(ruleset=draft).failures) == (
        FAILING)


# The single expectation form

def test_the_expectation_form_starts_from_what_is_expected_now(guidance_editor_client, draft):
    response = guidance_editor_client.get(form_url(draft, "ED-CALCIUM-215"))
    initial = response.context["form"].initial
    assert initial["expected_denosumab"] == "contraindicated"  # not the draft's recommended
    assert initial["expected_hold_options"] == ["bisphosphonate"]
    page = response.content.decode()
    assert "The form below holds what is expected now" in page
    assert f"Start from what {draft.version} gives" in page
    denosumab = next(item for _, item in response.context["fields"]
                     if item and item["name"] == "expected_denosumab")
    assert denosumab == {"name": "expected_denosumab", "label": "Denosumab",
                         "now": "Contraindicated", "draft": "Recommended", "differs": True}


def test_starting_from_the_draft_fills_the_form_with_its_output(guidance_editor_client, draft):
    before = stored(draft)
    response = guidance_editor_client.get(form_url(draft, "ED-CALCIUM-215", "?from=draft"))
    initial = response.context["form"].initial
    assert initial["expected_denosumab"] == "recommended"
    assert initial["expected_hold_options"] == []
    page = response.content.decode()
    assert f"The form below holds what {draft.version} gives" in page
    assert "Start again from what is expected now" in page
    assert stored(draft) == before  # opening the form writes nothing


def test_saving_the_form_started_from_the_draft_changes_the_expectation(
        guidance_editor_client, draft):
    url = form_url(draft, "ED-CALCIUM-215", "?from=draft")
    initial = guidance_editor_client.get(url).context["form"].initial
    data = {**{k: v for k, v in initial.items() if k.startswith("expected_")},
            "reason": REASON}
    response = guidance_editor_client.post(url, data)
    assert response.status_code == 302
    row = expectation(draft, "ED-CALCIUM-215")
    assert (row.expected["denosumab"], row.expected_hold, row.note) == (
        "recommended", [], REASON)


# The test page: several at once, one reason

def test_the_test_page_offers_the_failing_scenarios_to_an_editor_alone(
        guidance_editor_client, officer_client, draft):
    url = reverse("admin:guidance_ruleset_test", args=[draft.pk])
    response = guidance_editor_client.get(url)
    form = response.context["accept_form"]
    assert sorted(code for code, _ in form.fields["codes"].choices) == FAILING
    page = response.content.decode()
    assert "On hold: expected bisphosphonate, got none" in page  # words, not ['bisphosphonate']
    assert "[&#x27;bisphosphonate&#x27;]" not in page
    assert officer_client.get(url).context["accept_form"] is None


def test_one_reason_accepts_the_drafts_output_for_three_scenarios(
        guidance_editor_client, draft, guidance_editor):
    test_url = reverse("admin:guidance_ruleset_test", args=[draft.pk])
    response = guidance_editor_client.post(accept_url(draft), {"codes": FAILING,
                                                               "reason": REASON})
    assert response["Location"] == test_url
    changes = ExpectationChange.objects.filter(ruleset=draft).order_by("code")
    assert [(c.code, c.reason, c.by) for c in changes] == [
        (code, REASON, guidance_editor) for code in FAILING]
    assert len({c.at for c in changes}) == 1  # one decision, one time
    assert all(c.before["expected"]["denosumab"] == "contraindicated" for c in changes)
    assert all(c.after["expected"]["denosumab"] == "recommended" for c in changes)
    assert denosumab_expected(draft) == dict.fromkeys(FAILING, "recommended")
    assert ruleset_test(ruleset=draft).passed
    audit = GovernanceEvent.objects.filter(action="expectation_change", ruleset=draft)
    assert sorted(audit.values_list("outcome", "detail")) == [
        ("ok", f"{code}: {REASON}") for code in FAILING]
    assert Scenario.objects.get(code="ED-CALCIUM-215").expected["denosumab"] == (
        "contraindicated")  # the library is untouched
    page = guidance_editor_client.get(test_url).content.decode()
    assert "is now expected of 3 scenario(s)" in page


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"codes": FAILING}, "reason", "Say why the expectations change"),
    ({"codes": FAILING, "reason": "   "}, "reason", "Say why the expectations change"),
    ({"reason": REASON}, "codes", "Tick at least one failing scenario"),
    ({"codes": ["ED-CALCIUM-215", "NO-SUCH"], "reason": REASON}, "codes",
     "NO-SUCH is not a failing scenario of this draft"),
    ({"codes": ["ED-CALCIUM-215", "V01"], "reason": REASON}, "codes",
     "V01 is not a failing scenario of this draft"),
], ids=["no-reason", "blank-reason", "none-ticked", "not-in-the-draft", "passing"])
def test_a_refused_acceptance_says_why_next_to_the_field_and_saves_nothing(
        guidance_editor_client, draft, data, field, message):
    before = stored(draft)
    response = guidance_editor_client.post(accept_url(draft), data)
    assert response.status_code == 200
    form = response.context["accept_form"]
    assert message in " ".join(form.errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert stored(draft) == before
    assert denosumab_expected(draft) == dict.fromkeys(FAILING, "contraindicated")


def test_opening_the_acceptance_address_writes_nothing(guidance_editor_client, draft):
    before = stored(draft)
    response = guidance_editor_client.get(accept_url(draft) + "?codes=ED-CALCIUM-215&reason=x")
    assert response.status_code == 405
    assert stored(draft) == before


def test_a_safety_officer_cannot_accept(officer_client, draft, safety_officer):
    before = stored(draft)
    response = officer_client.post(accept_url(draft), {"codes": FAILING, "reason": REASON})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        expectations_accept(ruleset=draft, codes=FAILING, reason=REASON, by=safety_officer)
    assert stored(draft) == before
    refusal = GovernanceEvent.objects.get(action="expectation_change", by=safety_officer)
    assert refusal.outcome == "refused"


def test_a_published_ruleset_never_accepts(published_ruleset, draft, guidance_editor,
                                           guidance_editor_client):
    before = stored(published_ruleset)
    response = guidance_editor_client.post(accept_url(published_ruleset),
                                           {"codes": FAILING, "reason": REASON}, follow=True)
    assert "only a draft&#x27;s expectations change" in response.content.decode()
    with pytest.raises(ValidationError, match="only a draft's expectations change"):
        expectations_accept(ruleset=published_ruleset, codes=FAILING, reason=REASON,
                            by=guidance_editor)
    assert stored(published_ruleset) == before


def test_a_submitted_draft_never_accepts(draft, guidance_editor):
    expectations_accept(ruleset=draft, codes=FAILING, reason=REASON, by=guidance_editor)
    ruleset_submit(ruleset=draft, by=guidance_editor, summary="Threshold as our laboratory")
    before = stored(draft)
    with pytest.raises(ValidationError, match="only a draft's expectations change"):
        expectations_accept(ruleset=draft, codes=["V01"], reason="Another", by=guidance_editor)
    assert stored(draft) == before
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.IN_REVIEW


def test_a_scenario_that_would_still_fail_is_refused_with_the_others(draft, guidance_editor):
    # Expects a SINS score V01's breast cancer without lesions never has: taking the
    # statuses the draft gives would leave it failing.
    Scenario.objects.create(code="ED-SCORED", title="Scored", source="editor",
                            assessment=Scenario.objects.get(code="ED-CALCIUM-215").assessment,
                            expected=Scenario.objects.get(code="ED-CALCIUM-215").expected,
                            expected_hold=["bisphosphonate"], expected_scores={"sins": [5]})
    before = stored(draft)
    with pytest.raises(ValidationError, match="ED-SCORED: taking what .* would not make"):
        expectations_accept(ruleset=draft, codes=[*FAILING, "ED-SCORED"], reason=REASON,
                            by=guidance_editor)
    assert stored(draft) == before
    assert denosumab_expected(draft) == dict.fromkeys(FAILING, "contraindicated")


def test_a_failure_midway_leaves_every_expectation_as_it_was(draft, guidance_editor,
                                                             monkeypatch):
    made, real = [], accept.expectation_change

    def second_refused(**kwargs):
        if made:
            raise ValidationError({"expected": "refused on the second scenario"})
        made.append(real(**kwargs))
        return made[-1]

    before = stored(draft)
    monkeypatch.setattr(accept, "expectation_change", second_refused)
    with pytest.raises(ValidationError, match="refused on the second scenario"):
        expectations_accept(ruleset=draft, codes=FAILING, reason=REASON, by=guidance_editor)
    assert len(made) == 1  # the first was written, then undone with the rest
    assert stored(draft) == before


# What the reviewer reads

def test_the_reviewer_reads_the_changes_grouped_by_reason(draft, guidance_editor,
                                                          guidance_editor_client):
    # One reason given, another, then the first again: the first reason's changes together.
    expectations_accept(ruleset=draft, codes=["TH-CALCIUM-2.15"], reason=REASON,
                        by=guidance_editor)
    expectations_accept(ruleset=draft, codes=["ED-CALCIUM-212"], reason="Another reason",
                        by=guidance_editor)
    expectations_accept(ruleset=draft, codes=["ED-CALCIUM-215"], reason=REASON,
                        by=guidance_editor)
    # (Then come the scenarios added to the library since the base, each its own reason.)
    changes = [change for change in expectation_changes(draft) if change["by"]]
    assert [(c["code"], c["reason"]) for c in changes] == [
        ("TH-CALCIUM-2.15", REASON), ("ED-CALCIUM-215", REASON),
        ("ED-CALCIUM-212", "Another reason")]
    page = guidance_editor_client.get(
        reverse("admin:guidance_ruleset_submit", args=[draft.pk])).content.decode()
    assert f"Reason: {REASON} (2 scenarios)" in page
    assert "Reason: Another reason (1 scenario)" in page
    assert page.index(f"Reason: {REASON}") < page.index("Reason: Another reason")
