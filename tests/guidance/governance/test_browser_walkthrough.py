"""The governance loop walked in Chromium as its people would, from the sign-in page:
each role lands on its own home; a draft is submitted, returned with a comment, changed,
submitted again (the reviewer sees the comment and what changed), approved with a comment
and published, with the e-mails each step sends; a submission is withdrawn and a draft
discarded; the safety officer reads the governance audit; a clinician's "MDT disagrees"
without a reason is refused. Screenshots go to BONECARE_SHOTS_DIR (or /tmp/ui-shots), to be
looked at; axe checks every page shown.
"""

import os
from pathlib import Path

import pytest
from django.core import mail

from tests.browser import BROWSER_TESTS, PASSWORD, assert_accessible, expect, local_context

pytestmark = BROWSER_TESTS
SHOTS = Path(os.environ.get("BONECARE_SHOTS_DIR") or "/tmp/ui-shots")
RULE = "DEF-HYPOCALCAEMIA"


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"walkthrough-{name}.png"), full_page=True)


class People:
    """One browser per person, each signed in with a password from the sign-in page."""

    def __init__(self, browser, live_server):
        self.browser, self.live_server, self.contexts = browser, live_server, []

    def signed_in(self, user, home):
        user.set_password(PASSWORD)
        user.save()
        context = local_context(self.browser, self.live_server, width=1280, height=900)
        self.contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**{home}")
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser, live_server):
    crowd = People(browser, live_server)
    yield crowd
    crowd.close()


def mails_since(count):
    """Return (recipients, subject, body) of the e-mails sent since `count` were."""
    return [(sorted(m.to), m.subject, m.body) for m in mail.outbox[count:]]


def told(sent, address, words):
    return any(address in to and words in subject + body for to, subject, body in sent)


@pytest.fixture
def world(transactional_db, published_ruleset, guidance_editor, safety_officer, clinician,
          treatment_options, settings):
    from guidance.services import scenarios_load_shared
    from options.consultation.services import consultation_create
    from tests.guidance_builders import calcium_assessment, hypocalcaemia_draft

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for person in (guidance_editor, safety_officer, clinician):
        person.email = f"{person.get_username()}@trust.example"
        person.save()
    scenarios_load_shared()
    consultation = consultation_create(data={**calcium_assessment(2.15),
                                             "patient_ref": "MRN-77"},
                                       channel="form", by=clinician)
    return {"draft": hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.2),
            "consultation": consultation}


def test_each_role_lands_on_its_own_home_after_a_password_sign_in(
        people, world, guidance_editor, safety_officer, clinician):
    doctor = people.signed_in(clinician, "/consultations/")
    expect(doctor.get_by_role("heading", level=1)).to_contain_text("Your consultations")
    shoot(doctor, "0-home-clinician")
    assert_accessible(doctor)
    editor = people.signed_in(guidance_editor, "/admin/guidance/ruleset/")
    expect(editor.locator(".console-home")).to_contain_text("Your drafts")
    shoot(editor, "0-home-editor")
    assert_accessible(editor)
    officer = people.signed_in(safety_officer, "/admin/guidance/ruleset/")
    expect(officer.locator(".console-home")).to_contain_text("Nothing is waiting for you")
    shoot(officer, "0-home-safety-officer")
    assert_accessible(officer)


def test_a_clinician_who_disagrees_without_a_reason_is_told_to_give_one(
        people, world, clinician):
    from options.consultation.models import Decision

    consultation = world["consultation"]
    doctor = people.signed_in(clinician, "/consultations/")
    doctor.goto(f"/consultations/{consultation.pk}/")
    section = doctor.locator("#decision-denosumab")
    section.locator("summary").click()
    section.get_by_label("The MDT disagrees with this advice").check()
    section.get_by_role("button", name="Record decision").click()
    doctor.wait_for_load_state()
    error = doctor.locator("#decision-denosumab .nhsuk-error-message")
    expect(error).to_contain_text("reason")
    assert not Decision.objects.filter(consultation=consultation).exists()
    doctor.locator("#decision-denosumab").scroll_into_view_if_needed()
    shoot(doctor, "9-decision-without-reason")
    assert_accessible(doctor)


def test_a_submission_is_withdrawn_a_draft_discarded_and_the_officer_reads_the_audit(
        people, world, guidance_editor, safety_officer):
    from guidance.models import GovernanceEvent, RuleSet

    draft = world["draft"]
    editor = people.signed_in(guidance_editor, "/admin/guidance/ruleset/")
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/submit/")
    editor.get_by_label("What changed and why").fill("Hypocalcaemia as the local laboratory.")
    editor.get_by_role("button", name=f"Submit {draft.version} for review").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    sent = len(mail.outbox)
    editor.get_by_role("link", name="Withdraw from review…").click()
    editor.get_by_label("Why").fill("The laboratory's range is not yet confirmed.")
    shoot(editor, "7-withdraw")
    assert_accessible(editor)
    editor.get_by_role("button", name=f"Withdraw {draft.version}").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    expect(editor.locator("ul.messagelist")).to_contain_text("withdrawn from review")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.DRAFT
    assert told(mails_since(sent), safety_officer.email, "withdrawn")

    editor.get_by_role("link", name="Discard draft…").click()
    editor.get_by_label("Why").fill("Superseded by the regional pathology guidance.")
    editor.get_by_role("button", name=f"Discard {draft.version}").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.DISCARDED
    expect(editor.locator(".console-note")).to_contain_text("Discarded by its editor")
    shoot(editor, "7-discarded")
    assert_accessible(editor)

    officer = people.signed_in(safety_officer, "/admin/guidance/ruleset/")
    officer.goto("/admin/guidance/governanceevent/")
    table = officer.locator("#result_list")
    for words in ("Superseded by the regional pathology guidance",
                  "The laboratory's range is not yet confirmed"):
        expect(table).to_contain_text(words)
    assert officer.get_by_role("link", name="Add governance event").count() == 0
    shoot(officer, "8-audit-as-safety-officer")
    assert_accessible(officer)
    event = GovernanceEvent.objects.order_by("-id").first()
    response = officer.request.post(f"/admin/guidance/governanceevent/{event.pk}/change/",
                                    form={"detail": "rewritten"})
    assert response.status in (403, 405)
    event.refresh_from_db()
    assert event.detail != "rewritten"


def test_submit_return_change_resubmit_approve_publish_with_the_mail_each_step_sends(
        people, world, guidance_editor, safety_officer):
    from guidance.models import RuleSet

    draft = world["draft"]
    editor = people.signed_in(guidance_editor, "/admin/guidance/ruleset/")
    officer = people.signed_in(safety_officer, "/admin/guidance/ruleset/")

    sent = len(mail.outbox)
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/submit/")
    editor.get_by_label("What changed and why").fill("Hypocalcaemia as our laboratory's range.")
    shoot(editor, "1-submit")
    assert_accessible(editor)
    editor.get_by_role("button", name=f"Submit {draft.version} for review").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    assert told(mails_since(sent), safety_officer.email, "submitted for review")

    officer.goto("/admin/guidance/ruleset/")
    officer.locator("[data-work=review]").get_by_role("link").click()
    officer.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/review/")
    officer.get_by_label("Comment").fill("Name the laboratory handbook this follows.")
    sent = len(mail.outbox)
    officer.get_by_role("button", name="Return to the author").click()
    officer.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    assert told(mails_since(sent), guidance_editor.email, "laboratory handbook")

    editor.goto("/admin/guidance/ruleset/")
    came_back = editor.locator(".console-home [data-work=change]").first
    expect(came_back).to_contain_text("Name the laboratory handbook")
    shoot(editor, "2-came-back")
    assert_accessible(editor)
    rule = draft.rules.get(code=RULE)
    editor.goto(f"/admin/guidance/rule/{rule.pk}/change/")
    editor.locator("#id_editor_note").fill("Follows the pathology handbook, section 4.2.")
    editor.locator("#id_change_reason").fill("The reviewer asked for the source.")
    editor.get_by_role("button", name="Save", exact=True).click()
    editor.wait_for_load_state()
    rule.refresh_from_db()
    assert rule.editor_note == "Follows the pathology handbook, section 4.2."
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/submit/")
    editor.get_by_label("What changed and why").fill("The handbook is named, as asked.")
    editor.get_by_role("button", name=f"Submit {draft.version} for review").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")

    officer.goto(f"/admin/guidance/ruleset/{draft.pk}/review/")
    expect(officer.locator(".conversation [data-step=returned]")).to_contain_text(
        "Name the laboratory handbook this follows.")
    since = officer.locator("[data-changes-since]")
    expect(since.get_by_role("heading", level=2)).to_have_text("Changed since your last review")
    expect(since.locator("tr[data-rule]")).to_have_count(1)
    expect(since.locator(f'tr[data-rule="{RULE}"] ins')).to_contain_text(["handbook"])
    shoot(officer, "3-second-round")
    assert_accessible(officer)
    officer.get_by_label("Comment").fill("Checked against the pathology handbook, 4.2.")
    sent = len(mail.outbox)
    officer.get_by_role("button", name=f"Approve {draft.version}").click()
    officer.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    assert told(mails_since(sent), guidance_editor.email, "approved")

    editor.goto("/admin/guidance/ruleset/")
    editor.locator(".console-home [data-work=publish]").get_by_role("link").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/publish/")
    sent = len(mail.outbox)
    editor.get_by_role("button", name=f"Publish {draft.version}").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.PUBLISHED
    published = mails_since(sent)
    assert told(published, guidance_editor.email, "published")
    assert told(published, safety_officer.email, "published")
    assert all("MRN-77" not in m.subject + m.body for m in mail.outbox)  # no patient data
    expect(editor.locator(".review-conversation")).to_contain_text(
        "Checked against the pathology handbook, 4.2.")
    shoot(editor, "4-published")
    assert_accessible(editor)
