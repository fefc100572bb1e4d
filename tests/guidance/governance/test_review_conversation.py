"""A ruleset's review reads as a conversation: submitted, returned with a comment, changed,
submitted again. The author sees what came back on the draft page and the ruleset list; the
reviewer sees both rounds in order and exactly what changed since the last one."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from guidance.content import content_digest, ruleset_digest
from guidance.conversation import review_changes_since, review_conversation
from guidance.drafting import document_save
from guidance.governance import ruleset_return, ruleset_submit, ruleset_withdraw
from guidance.models import GovernanceEvent, Review
from guidance.services import rule_save, scenario_expectation_update
from tests.guidance_builders import CALCIUM_215_EXPECTED_NOW, calcium_scenario, hypocalcaemia_draft

pytestmark = pytest.mark.django_db

FIRST = "Hypocalcaemia below 2.10 mmol/L, as the local laboratory"
COMMENT = "Name the laboratory range this follows, and double the vitamin D with it"
SECOND = "As before; vitamin D 800 units daily, as the reviewer asked"
REASON = "I forgot the vitamin D change the reviewer will ask for"
EDITED = "BP-CAUT-SUPPLEMENTS"


@pytest.fixture
def draft(published_ruleset, guidance_editor):
    return hypocalcaemia_draft(published_ruleset, guidance_editor)


@pytest.fixture
def returned(draft, guidance_editor, safety_officer):
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=FIRST)
    ruleset_return(ruleset=draft, by=safety_officer, comment=COMMENT)
    return draft


def double_the_vitamin_d(draft, editor):
    draft.refresh_from_db()  # a draft again
    rule = draft.rules.get(code=EDITED)
    assert "vitamin D 400 units" in rule.text
    rule.text = rule.text.replace("400 units", "800 units")
    rule_save(rule=rule, by=editor, reason="The reviewer asked for 800 units")


@pytest.fixture
def resubmitted(returned, guidance_editor):
    double_the_vitamin_d(returned, guidance_editor)
    ruleset_submit(ruleset=returned, by=guidance_editor, summary=SECOND)
    return returned


def page_of(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def review_page(user, ruleset):
    return page_of(user, f"/admin/guidance/ruleset/{ruleset.pk}/review/")


def section(html, marker):
    start = html.index(marker)
    return html[start:html.index("</section>", start)]


def marked(html, kind):
    word = {"del": "removed", "ins": "added"}[kind]
    return re.findall(rf'<{kind}><span class="visually-hidden">{word}: </span>(.*?)</{kind}>',
                      html, re.S)


def day(at):
    return date_format(timezone.localtime(at), "j M Y")


def test_the_draft_page_shows_the_return_and_its_comment_after_the_submission(
        returned, guidance_editor, safety_officer):
    html = page_of(guidance_editor, f"/admin/guidance/ruleset/{returned.pk}/change/")
    review = Review.objects.get(ruleset=returned)
    conversation = section(html, "review-conversation")
    assert f"Returned to its author by {safety_officer.username} on {day(review.reviewed_at)}" \
        in conversation
    assert conversation.index(FIRST) < conversation.index(COMMENT)
    assert re.findall(r'data-step="(\w+)"', conversation) == ["submitted", "returned"]


def test_the_ruleset_list_shows_who_returned_a_draft_and_the_start_of_their_comment(
        returned, guidance_editor, safety_officer, published_ruleset):
    html = page_of(guidance_editor, "/admin/guidance/ruleset/")
    review = Review.objects.get(ruleset=returned)
    assert (f"Returned by {safety_officer.username} on {day(review.reviewed_at)}: "
            "Name the laboratory range this follows") in html
    # Only the draft that was returned says so, in the list (and once more in the author's
    # "Came back to you from review" above it).
    assert html[html.index('id="result_list"'):].count("Returned by ") == 1


def test_the_reviewer_sees_both_rounds_and_the_comment_in_order(resubmitted, safety_officer):
    html = review_page(safety_officer, resubmitted)
    conversation = section(html, "review-conversation")
    assert conversation.index(FIRST) < conversation.index(COMMENT) < conversation.index(SECOND)
    assert re.findall(r'data-step="(\w+)"', conversation) == ["submitted", "returned",
                                                               "submitted"]
    assert "waiting for a clinical safety officer&#x27;s review" in conversation


def test_changed_since_the_last_review_names_exactly_the_rule_edited(
        resubmitted, safety_officer):
    html = review_page(safety_officer, resubmitted)
    since = section(html, "data-changes-since")
    assert "Changed since your last review" in since  # she returned the first round
    assert re.findall(r'data-rule="([^"]+)"', since) == [EDITED]
    # The threshold changed against the published ruleset, but not since the last round.
    assert 'data-rule="DEF-HYPOCALCAEMIA"' in html.replace(since, "")
    assert (marked(since, "del"), marked(since, "ins")) == (["400"], ["800"])


def test_changed_since_holds_the_edited_field_alone(resubmitted):
    changes = review_changes_since(resubmitted.reviews.first()).changes
    (rule,) = changes["rules"]
    assert (rule["code"], rule["change"], list(rule["fields"])) == (EDITED, "changed", ["text"])
    assert not any(changes[key] for key in ("details", "documents", "code_lists",
                                            "expectations"))


def test_another_officer_reads_changed_since_it_was_returned(
        resubmitted, django_user_model):
    from options.identity.roles import SAFETY_OFFICER
    from tests.conftest import user_in_role

    other = user_in_role(django_user_model, username="cso_other", role=SAFETY_OFFICER)
    since = section(review_page(other, resubmitted), "data-changes-since")
    assert "Changed since it was returned" in since and EDITED in since


def test_each_submission_keeps_exactly_what_was_submitted(resubmitted):
    first, second = resubmitted.reviews.order_by("submitted_at")
    assert content_digest(second.content) == second.content_digest == ruleset_digest(
        resubmitted)
    assert content_digest(first.content) == first.content_digest != second.content_digest
    texts = [{rule["code"]: rule["text"] for rule in review.content["rules"]}[EDITED]
             for review in (first, second)]
    assert "400 units" in texts[0] and "800 units" in texts[1]


def test_a_submission_stored_before_its_content_was_kept_says_so(resubmitted, safety_officer):
    first = resubmitted.reviews.order_by("submitted_at").first()
    Review.objects.filter(pk=first.pk).update(content=None)
    since = section(review_page(safety_officer, resubmitted), "data-changes-since")
    assert "The earlier submission's content was not recorded" in since
    assert "data-rule=" not in since


def test_a_first_submission_has_no_changed_since(draft, guidance_editor, safety_officer):
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=FIRST)
    html = review_page(safety_officer, draft)
    assert "data-changes-since" not in html and FIRST in html


def test_a_withdrawal_is_a_step_with_who_when_and_why(draft, guidance_editor, safety_officer):
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=FIRST)
    ruleset_withdraw(ruleset=draft, by=guidance_editor, reason=REASON)
    listed = page_of(guidance_editor, "/admin/guidance/ruleset/")
    assert f"Withdrawn from review by {guidance_editor.username}: {REASON[:20]}" in listed
    double_the_vitamin_d(draft, guidance_editor)
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SECOND)
    steps = review_conversation(draft)
    assert [step.kind for step in steps] == ["submitted", "withdrawn", "submitted"]
    event = GovernanceEvent.objects.get(action="withdraw", outcome="ok")
    assert (steps[1].who, steps[1].at, steps[1].text) == (guidance_editor.username, event.at,
                                                         REASON)
    since = section(review_page(safety_officer, draft), "data-changes-since")
    assert "Changed since the previous submission" in since and EDITED in since


def test_documents_and_expectations_changed_between_rounds_are_shown(
        draft, guidance_editor, safety_officer):
    scenario = calcium_scenario(code="ED-CALCIUM-200", calcium=2.0)  # low under both
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=FIRST)
    ruleset_return(ruleset=draft, by=safety_officer, comment=COMMENT)
    draft.refresh_from_db()
    document = draft.documents.get(code="TA265")
    document.title = document.title + " (updated 2026)"
    document_save(document=document, by=guidance_editor, reason="NICE renamed it")
    scenario_expectation_update(scenario=scenario, ruleset=draft, by=guidance_editor,
                                expected=dict(CALCIUM_215_EXPECTED_NOW),
                                expected_hold=["bisphosphonate"],
                                reason="Checked: still held at 2.0 mmol/L")
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SECOND)
    changes = review_changes_since(draft.reviews.first()).changes
    assert [item["key"] for item in changes["documents"]] == ["TA265"]
    assert [(item["code"], list(item["changed"])) for item in changes["expectations"]] == [
        ("ED-CALCIUM-200", ["note"])]
    assert changes["rules"] == []
    since = section(review_page(safety_officer, draft), "data-changes-since")
    assert sorted(marked(since, "ins")) == ["(updated 2026)", "Checked: still held at 2.0 mmol/L"]


def test_a_published_ruleset_tells_its_review_through_to_publication(
        draft, published_ruleset, guidance_editor, safety_officer):
    from tests.guidance_builders import publish_reviewed

    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    steps = review_conversation(draft)
    assert [(step.kind, step.who) for step in steps] == [
        ("submitted", guidance_editor.username), ("approved", safety_officer.username),
        ("reviewed", guidance_editor.username)]
    assert steps[-1].heading == f"Published by {guidance_editor.username}"
    (installed,) = review_conversation(published_ruleset)
    assert installed.heading == "Published at installation"
    html = page_of(safety_officer, f"/admin/guidance/ruleset/{draft.pk}/change/")
    assert "Checked against the lab&#x27;s range" in section(html, "review-conversation")
