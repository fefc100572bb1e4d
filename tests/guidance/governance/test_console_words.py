"""The rules console shows words, never a Python value or a stored code: every main page,
filled with rulesets in each state, a review returned and answered, a rollback, decisions,
changed expectations, documents and codes, as an editor and as a clinical safety officer.

What an editor types as code (a condition, a scenario's assessment, an alert code) is shown
as code (in <code>, <pre>, a text box, or the read-only JSON of a rule or scenario) and is
not read here; everything else a person reads is.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from guidance.models import CodeListEntry, GovernanceEvent, Rule, Scenario
from tests.guidance.governance.console_world import console_world

pytestmark = pytest.mark.django_db

# A Python value, or a code: a lower-case word joined by underscores (not_applicable).
RAW = re.compile(r"\b(?:None|True|False)\b|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# A parameter an editor writes in a rule's text, {corrected_calcium_mmol_l.lt:2}: shown as
# written on the rule's page and in its history (clinicians read the number).
PARAMETER = re.compile(r"\{[a-z][a-z0-9_]*\.[a-z]+(?::\d+)?\}")
CODE_TAGS = {"script", "style", "code", "pre", "textarea", "svg", "template"}
# Read-only JSON an editor wrote (a rule's condition, a scenario's assessment).
CODE_FIELDS = {"field-condition", "field-assessment"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "use", "path", "circle", "rect"}


class VisibleText(HTMLParser):
    """The text of a page a person reads, without what is shown as code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # one flag per open element: inside code?
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        inside = bool(self.stack and self.stack[-1])
        self.stack.append(inside or tag in CODE_TAGS or "json-field" in classes
                          or bool(classes & CODE_FIELDS))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    def text(self):
        return " ".join(" ".join(self.parts).split())


def raw_values(html, names=()):
    """Return {raw value: where it is read} for each a person would read on the page;
    `names` (people's usernames, such as editor_test) are names, not codes."""
    parser = VisibleText()
    parser.feed(html)
    text = PARAMETER.sub("{parameter}", parser.text())
    return {m[0]: text[max(0, m.start() - 50):m.end() + 30] for m in RAW.finditer(text)
            if m[0] not in names}


def test_the_reader_finds_raw_values_and_skips_code():
    html = ('<p>Change reason: None</p><p>State: in_review</p><td>True</td>'
            '<code>not_applicable</code><pre>{"a_b": null}</pre><textarea>x_y</textarea>'
            '<div class="field-condition"><div class="readonly">{"fact": "a_b"}</div></div>'
            '<p>Not applicable, recommended, below {corrected_calcium_mmol_l.lt:2} mmol/L</p>')
    assert set(raw_values(html)) == {"None", "in_review", "True"}


@pytest.fixture
def world(published_ruleset, guidance_editor, safety_officer, clinician):
    return console_world(published=published_ruleset, editor=guidance_editor,
                         officer=safety_officer, clinician=clinician)


def review_pages(world):
    return [f"/admin/guidance/ruleset/{world[k].pk}/review/" for k in ("waiting", "retired")]


def console_pages(world):
    """Every main page of the console but the review page, for this world."""
    draft, waiting, retired, live = (world[k] for k in ("draft", "waiting", "retired", "live"))
    changed_rule = Rule.objects.get(ruleset=retired, code="DEF-HYPOCALCAEMIA")
    scenario = Scenario.objects.get(code="ED-CALCIUM-215")
    entry = CodeListEntry.objects.get(ruleset=retired, code="999000001")
    document = retired.documents.order_by("code").first()
    version = changed_rule.history.order_by("-history_id").first()
    event = GovernanceEvent.objects.filter(action="code_list_change").first()
    base = "/admin/guidance"
    return [
        f"{base}/ruleset/", f"{base}/ruleset/?state=discarded",
        *(f"{base}/ruleset/{r.pk}/change/" for r in (draft, waiting, retired, live,
                                                      world["discarded"])),
        f"{base}/rule/{Rule.objects.get(ruleset=draft, code='DEF-HYPOCALCAEMIA').pk}/change/",
        f"{base}/rule/{changed_rule.pk}/change/",
        f"{base}/rule/?ruleset__id__exact={draft.pk}",
        f"{base}/ruleset/{draft.pk}/test/", f"{base}/ruleset/{retired.pk}/test/",
        f"{base}/ruleset/{draft.pk}/impact/",
        f"{base}/ruleset/{retired.pk}/history/", f"{base}/rule/{changed_rule.pk}/history/",
        f"{base}/rule/{changed_rule.pk}/history/{version.history_id}/",
        f"{base}/scenario/{scenario.pk}/history/", f"{base}/codelistentry/{entry.pk}/history/",
        f"{base}/guidancedocument/{document.pk}/history/",
        f"{base}/rule/review/", f"{base}/rule/review/DMAB-SAFE-02/",
        f"{base}/ruleset/publications/",
        f"{base}/governanceevent/", f"{base}/governanceevent/{event.pk}/change/",
        f"{base}/scenario/", f"{base}/scenario/{scenario.pk}/change/",
        f"{base}/codelistentry/?ruleset__id__exact={retired.pk}",
        f"{base}/guidancedocument/",
    ]


def raw_values_on(pages, user):
    """Return {"address: value": where it is read} over the pages, as the user sees them."""
    browser = Client()
    browser.force_login(user)
    names = set(get_user_model().objects.values_list("username", flat=True))
    found = {}
    for address in pages:
        response = browser.get(address)
        assert response.status_code == 200, address
        raw = raw_values(response.content.decode(), names)
        found.update({f"{address}: {word!r}": where for word, where in raw.items()})
    return found


def report(found):
    return "\n".join(f"{key} in ...{where}..." for key, where in found.items())


@pytest.mark.parametrize("who", ["guidance_editor", "safety_officer"])
def test_no_console_page_shows_a_python_value_or_a_code(request, world, who):
    found = raw_values_on(console_pages(world), request.getfixturevalue(who))
    assert not found, report(found)


@pytest.mark.parametrize("who", ["guidance_editor", "safety_officer"])
def test_the_review_page_shows_no_python_value_or_code(request, world, who):
    found = raw_values_on(review_pages(world), request.getfixturevalue(who))
    assert not found, report(found)
