"""The rules console's first page says what is waiting for the person reading it: an editor's
drafts and what came back to them, a safety officer's reviews and rollbacks to follow up,
and never work that person may not do (their own draft to review, their own rollback)."""

import pytest
from django.test import Client

from guidance.governance import ruleset_return, ruleset_rollback, ruleset_submit
from guidance.worklist import worklist_for
from options.identity.roles import EDITOR, SAFETY_OFFICER
from tests.conftest import user_in_role
from tests.guidance_builders import approved, hypocalcaemia_draft, publish_reviewed

pytestmark = pytest.mark.django_db
HOME = "/admin/guidance/ruleset/"


def home(user):
    browser = Client()
    browser.force_login(user)
    response = browser.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def listed(work, name):
    return [item.ruleset.version for item in getattr(work, name)]


def test_an_editor_sees_their_draft_and_a_safety_officer_sees_nothing_to_review(
        published_ruleset, guidance_editor, safety_officer):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    assert listed(worklist_for(guidance_editor), "my_drafts") == [draft.version]
    officer = worklist_for(safety_officer)
    assert officer.empty and not officer.editor
    page = home(safety_officer)
    assert "Nothing is waiting for you: no draft is waiting for your review" in page
    assert "Rules console: rulesets" in page


def test_a_submitted_draft_waits_for_the_officer_and_a_return_goes_back_to_its_author(
        published_ruleset, guidance_editor, safety_officer):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    ruleset_submit(ruleset=draft, by=guidance_editor, summary="Local laboratory range")
    assert listed(worklist_for(safety_officer), "to_review") == [draft.version]
    assert listed(worklist_for(guidance_editor), "in_review") == [draft.version]
    page = home(safety_officer)
    assert "Waiting for your review" in page
    assert f"/admin/guidance/ruleset/{draft.pk}/review/" in page

    ruleset_return(ruleset=draft, by=safety_officer, comment="Cite the laboratory handbook")
    editor = worklist_for(guidance_editor)
    assert listed(editor, "returned") == [draft.version] and not editor.my_drafts
    assert "Cite the laboratory handbook" in editor.returned[0].said
    assert worklist_for(safety_officer).empty
    page = home(guidance_editor)
    assert "Came back to you from review" in page
    assert f"Returned by {safety_officer.get_username()}" in page


def test_an_officer_who_wrote_the_draft_is_not_asked_to_review_it(
        django_user_model, published_ruleset, guidance_editor, safety_officer):
    both = user_in_role(django_user_model, username="both_roles", role=EDITOR)
    both.groups.add(*user_in_role(django_user_model, username="x", role=SAFETY_OFFICER)
                    .groups.all())
    draft = hypocalcaemia_draft(published_ruleset, both)
    ruleset_submit(ruleset=draft, by=both, summary="Local laboratory range")
    work = worklist_for(both)
    assert work.officer and not work.to_review
    assert listed(work, "in_review") == [draft.version]
    assert listed(worklist_for(safety_officer), "to_review") == [draft.version]


def test_approved_waits_to_be_published_and_a_rollback_waits_for_another_officer(
        django_user_model, published_ruleset, guidance_editor, safety_officer):
    draft = approved(hypocalcaemia_draft(published_ruleset, guidance_editor),
                     author=guidance_editor, reviewer=safety_officer)
    assert listed(worklist_for(guidance_editor), "approved") == [draft.version]
    assert f"/admin/guidance/ruleset/{draft.pk}/publish/" in home(guidance_editor)

    from guidance.governance import ruleset_publish
    ruleset_publish(ruleset=draft, by=guidance_editor)
    ruleset_rollback(ruleset=published_ruleset, by=safety_officer,
                     reason="Laboratory range not in force yet")
    assert not worklist_for(safety_officer).to_follow_up  # their own rollback
    other = user_in_role(django_user_model, username="cso_two", role=SAFETY_OFFICER)
    work = worklist_for(other)
    assert listed(work, "to_follow_up") == [published_ruleset.version]
    assert "Laboratory range not in force yet" in work.to_follow_up[0].said
    page = home(other)
    assert "Emergency rollbacks waiting for your follow-up" in page
    assert f"/admin/guidance/ruleset/publications/{work.to_follow_up[0].publication.pk}/" \
        "follow-up/" in page


def test_a_published_draft_leaves_every_list(published_ruleset, guidance_editor,
                                             safety_officer):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    assert worklist_for(guidance_editor).empty and worklist_for(safety_officer).empty


def test_the_submit_page_says_when_a_drafts_notes_are_still_its_bases(
        published_ruleset, guidance_editor):
    from guidance.drafting import ruleset_details_save

    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    browser = Client()
    browser.force_login(guidance_editor)
    submit = f"/admin/guidance/ruleset/{draft.pk}/submit/"
    page = browser.get(submit).content.decode()
    assert "data-notes-unchanged" in page
    assert f"still those of {published_ruleset.version}" in page
    draft.notes = "Hypocalcaemia below 2.10 mmol/L, as our laboratory's range."
    ruleset_details_save(ruleset=draft, by=guidance_editor)
    assert "data-notes-unchanged" not in browser.get(submit).content.decode()
