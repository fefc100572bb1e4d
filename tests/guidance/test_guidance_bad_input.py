"""The rules console refuses hostile JSON and a lost publishing race plainly, never a 500."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from guidance.models import RuleSet, Scenario
from guidance.services import default_ruleset_data, ruleset_create_draft
from guidance.transfer import ruleset_file_errors
from options.json_input import MAX_DEPTH
from tests.guidance_builders import approved

pytestmark = pytest.mark.django_db

DEPTHS = {"100000-lists": 100_000, "900-lists": 900, "one-too-many": MAX_DEPTH + 1}


def nested(depth):
    """Return JSON text of lists nested `depth` levels deep around one number."""
    return "[" * depth + "1" + "]" * depth


@pytest.fixture
def editor_raising(guidance_editor):
    """The guidance editor's browser, re-raising any server error so a 500 fails loudly."""
    client = Client(raise_request_exception=True)
    client.force_login(guidance_editor)
    return client


def field_errors(response, name):
    return response.context["adminform"].form.errors[name]


@pytest.mark.parametrize("depth", DEPTHS.values(), ids=DEPTHS)
def test_a_deeply_nested_rule_condition_is_a_form_error(editor_raising, guidance_editor,
                                                        published_ruleset, depth):
    from tests.guidance.test_guidance_admin import rule_form_data

    rule = ruleset_create_draft(source=published_ruleset, by=guidance_editor).rules.get(
        code="DEF-HYPOCALCAEMIA")
    url = reverse("admin:guidance_rule_change", args=[rule.pk])
    response = editor_raising.post(url, rule_form_data(rule, condition=nested(depth)))
    assert response.status_code == 200
    assert "nested too deeply" in " ".join(field_errors(response, "condition"))


@pytest.mark.parametrize("depth", DEPTHS.values(), ids=DEPTHS)
def test_a_deeply_nested_scenario_assessment_is_a_form_error(editor_raising, depth):
    data = {"code": "ED-DEEP", "title": "deep", "assessment": nested(depth),
            **{f"expected_{o}": "recommended" for o in
               ("bisphosphonate", "denosumab", "cementoplasty", "vertebroplasty",
                "kyphoplasty")}}
    response = editor_raising.post("/admin/guidance/scenario/add/", data)
    assert response.status_code == 200
    assert "nested too deeply" in " ".join(field_errors(response, "assessment"))
    assert not Scenario.objects.filter(code="ED-DEEP").exists()


@pytest.mark.parametrize("depth", DEPTHS.values(), ids=DEPTHS)
def test_a_deeply_nested_ruleset_file_is_refused(editor_raising, published_ruleset, depth):
    data = json.dumps({**default_ruleset_data(), "version": "2099.9"})
    content = data.replace('"notes":', f'"deep": {nested(depth)}, "notes":', 1).encode()
    upload = SimpleUploadedFile("deep.json", content, content_type="application/json")
    response = editor_raising.post(reverse("admin:guidance_ruleset_import"), {"file": upload})
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()
    assert RuleSet.objects.count() == 1


def test_a_ruleset_file_nested_just_deep_enough_is_still_checked_as_usual():
    errors = ruleset_file_errors({"version": "2099.9", "rules": json.loads(nested(MAX_DEPTH - 1))})
    assert errors and not any("nested too deeply" in error for error in errors)


def test_ruleset_data_nested_too_deeply_is_refused_however_it_arrived():
    errors = ruleset_file_errors({"version": "2099.9", "rules": json.loads(nested(MAX_DEPTH))})
    assert errors == [f"(file): nested too deeply: at most {MAX_DEPTH} levels of lists and "
                      "objects"]


def test_a_deeply_nested_scenario_shown_again_does_not_fail(editor_raising):
    """The admin re-renders refused input; the pretty-printer must not recurse on it."""
    from guidance.console.forms import PrettyJSONWidget

    assert PrettyJSONWidget().format_value(nested(900)) == nested(900)


@pytest.mark.parametrize("path", ["²/expectation/V01/", "1/expectation/V01%00/",
                                  "1/expectation/" + "V" * 41 + "/"],
                         ids=["superscript-number", "nul-in-code", "long-code"])
def test_an_odd_expectation_address_is_not_found(editor_raising, published_ruleset, path):
    response = editor_raising.get(f"/admin/guidance/ruleset/{path}")
    assert response.status_code in (302, 404)


def test_an_unknown_scenario_under_a_draft_is_not_found(editor_raising, published_ruleset,
                                                        guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    url = reverse("admin:guidance_ruleset_expectation", args=[draft.pk, "NO-SUCH"])
    assert editor_raising.get(url).status_code == 404


@pytest.mark.parametrize("step", ["publish", "submit", "review", "rollback", "new-draft"])
@pytest.mark.parametrize("pk", ["9" * 5000, "٣"], ids=["5000-digits", "arabic-indic"])
def test_publishing_an_odd_ruleset_number_is_not_found(editor_raising, pk, step):
    # The admin's own catch-all answers: a redirect saying no such ruleset exists.
    response = editor_raising.post(f"/admin/guidance/ruleset/{pk}/{step}/")
    assert response.status_code in (302, 404)


# Two editors publishing at the same moment: the database keeps one published ruleset, and
# the later editor is told so plainly. In one process the other editor's publish is made to
# land at the instant this service would not see it (the simulated publish shares the
# transaction, so the refusal rolls it back too); on PostgreSQL two threads also race.

def two_drafts(published, editor, reviewer):
    """Return two drafts, each submitted by the editor and approved by the reviewer."""
    return tuple(approved(ruleset_create_draft(source=published, by=editor, version=version),
                          author=editor, reviewer=reviewer)
                 for version in ("2099.1", "2099.2"))


def another_publishes_at(monkeypatch, moment, *, winner, current):
    """Make `winner` published, `current` retired, when the service stamps `moment`."""
    import guidance.services as services

    stamp = services._stamp

    def stamp_while_another_publishes(instance, by, reason=""):
        if reason.startswith(moment):
            RuleSet.objects.filter(pk=current.pk).update(state=RuleSet.RETIRED)
            RuleSet.objects.filter(pk=winner.pk).update(state=RuleSet.PUBLISHED)
        stamp(instance, by, reason)

    monkeypatch.setattr(services, "_stamp", stamp_while_another_publishes)


def publish_refused(draft, editor):
    from guidance.governance import ruleset_publish
    from guidance.services import PublishRefused

    with pytest.raises(PublishRefused) as refused:
        ruleset_publish(ruleset=draft, by=editor)
    draft.refresh_from_db()
    assert draft.state == RuleSet.APPROVED and draft.published_at is None
    assert "at the same moment" in str(refused.value) and draft.version in str(refused.value)
    return str(refused.value)


def test_a_ruleset_published_while_the_old_one_was_retired_refuses_the_later(
        monkeypatch, published_ruleset, guidance_editor, safety_officer):
    winner, draft = two_drafts(published_ruleset, guidance_editor, safety_officer)
    another_publishes_at(monkeypatch, "retired:", winner=winner, current=published_ruleset)
    assert winner.version in publish_refused(draft, guidance_editor)


def test_the_database_constraint_refuses_the_later_of_two_publishes(
        monkeypatch, published_ruleset, guidance_editor, safety_officer):
    winner, draft = two_drafts(published_ruleset, guidance_editor, safety_officer)
    # After the service's last look, before its save: only the unique constraint can tell.
    another_publishes_at(monkeypatch, "published", winner=winner, current=published_ruleset)
    publish_refused(draft, guidance_editor)


def test_the_admin_shows_the_refusal_of_a_publish_that_lost_the_race(
        monkeypatch, editor_raising, published_ruleset, guidance_editor, safety_officer):
    winner, draft = two_drafts(published_ruleset, guidance_editor, safety_officer)
    another_publishes_at(monkeypatch, "published", winner=winner, current=published_ruleset)
    url = reverse("admin:guidance_ruleset_publish", args=[draft.pk])
    response = editor_raising.post(url, follow=True)
    assert response.status_code == 200
    assert "at the same moment" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == RuleSet.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_editors_publishing_at_once_on_postgresql_one_wins_one_is_told(
        monkeypatch, published_ruleset, guidance_editor, safety_officer):
    """Both pass their draft's checks together, then race to publish; one wins."""
    import threading

    from django.db import connection

    import guidance.governance as services

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the simulated races above cover it")
    drafts = two_drafts(published_ruleset, guidance_editor, safety_officer)
    both_checked = threading.Barrier(2, timeout=30)
    scenario_test = services.ruleset_test

    def test_then_wait(*, ruleset):
        result = scenario_test(ruleset=ruleset)
        both_checked.wait()
        return result

    monkeypatch.setattr(services, "ruleset_test", test_then_wait)
    outcomes = {}

    def publish(draft):
        try:
            services.ruleset_publish(ruleset=draft, by=guidance_editor)
            outcomes[draft.version] = "published"
        except services.PublishRefused as refused:
            outcomes[draft.version] = str(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values(), key=len)[0] == "published", outcomes
    assert "at the same moment" in sorted(outcomes.values(), key=len)[1]
    assert RuleSet.objects.filter(state=RuleSet.PUBLISHED).count() == 1


def test_a_draft_never_retires_one_published_after_its_check(published_ruleset, guidance_editor,
                                                            safety_officer, monkeypatch):
    """Two drafts of the same live ruleset: the first is published between the second's
    "is my base still live?" check and its lock. Under the lock the second finds another
    ruleset live and is refused; the first stays published, not silently retired."""
    import guidance.governance as governance

    first, second = two_drafts(published_ruleset, guidance_editor, safety_officer)
    governance.ruleset_publish(ruleset=first, by=guidance_editor)
    monkeypatch.setattr(governance, "_current_base", lambda *args: None)  # checked earlier
    with pytest.raises(governance.PublishRefused, match="at the same moment"):
        governance.ruleset_publish(ruleset=second, by=guidance_editor)
    assert RuleSet.objects.get(state=RuleSet.PUBLISHED).version == first.version
    assert RuleSet.objects.get(pk=second.pk).state == RuleSet.APPROVED
