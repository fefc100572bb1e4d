"""Texts compared word by word on the review pages: only the words that changed are marked,
marked for a screen reader too, and every other value reads in words (yes and no, labels),
never as a Python value."""

import re
from html import unescape

import pytest
from django.template.loader import render_to_string

from guidance.console.changes import field_changes, value_words, words_diff

SUPPLEMENTS = "Calcium 500 mg and vitamin D 400 units daily alongside, unless hypercalcaemic."


def marked(segments, kind):
    """The words a page marks (it shows a space inserted or deleted unmarked)."""
    return [text for segment_kind, text in segments if segment_kind == kind and text.strip()]


def test_a_changed_number_marks_that_word_alone():
    segments = words_diff(SUPPLEMENTS, SUPPLEMENTS.replace("400", "800"))
    assert marked(segments, "removed") == ["400"]
    assert marked(segments, "added") == ["800"]


def test_added_words_are_marked_alone_without_striking_the_text_around_them():
    segments = words_diff("Check calcium first.", "Check calcium and vitamin D first.")
    assert marked(segments, "removed") == []
    assert marked(segments, "added") == ["and vitamin D"]
    assert "Check calcium" in marked(segments, "same")[0]


def test_neighbouring_changed_words_read_as_one_change():
    segments = words_diff("below 2.20 mmol/L", "under 2.10 mmol/L")
    assert segments == [("removed", "below 2.20"), ("added", "under 2.10"),
                        ("same", " mmol/L")]


@pytest.mark.parametrize("before, after", [
    (SUPPLEMENTS, SUPPLEMENTS.replace("400", "800")),
    ("Check calcium first.", "Check calcium and vitamin D first."),
    ("one\ntwo three", "one\nthree four"),
    ("", "A new text"),
    ("An old text", ""),
    ("Same words", "Same words"),
], ids=["number", "inserted", "lines", "from-empty", "to-empty", "unchanged"])
def test_the_segments_give_back_both_texts(before, after):
    segments = words_diff(before, after)
    assert "".join(text for kind, text in segments if kind != "added") == before
    assert "".join(text for kind, text in segments if kind != "removed") == after


def test_a_change_of_spacing_alone_is_no_marked_change():
    segments = words_diff("Not pregnant", "Not pregnant ")
    assert marked(segments, "removed") == marked(segments, "added") == []


@pytest.mark.parametrize("value, words", [
    (True, "yes"), (False, "no"), (None, ""), (100, "100"), (2.1, "2.1"),
    ("not_recommended", "Not recommended"), ("free text_kept", "free text_kept"),
    (["bisphosphonate", "denosumab"], "Bisphosphonate, Denosumab"), ([], "none"),
    ({"denosumab": "contraindicated"}, "Denosumab: Contraindicated"),
    ({"sins": 10}, "SINS score: 10"),
], ids=str)
def test_values_read_in_words(value, words):
    assert value_words(value) == words


def test_a_condition_reads_in_plain_words_first_with_its_stored_form_beside_it():
    (change,) = field_changes({
        "condition": [{"fact": "corrected_calcium_mmol_l", "lt": 2.2},
                      {"fact": "corrected_calcium_mmol_l", "lt": 2.1}],
        "condition in words": ["corrected calcium below 2.20 mmol/L",
                               "corrected calcium below 2.10 mmol/L"]})
    assert change.label == "When it applies"
    assert (marked(change.segments, "removed"), marked(change.segments, "added")) == (
        ["2.20"], ["2.10"])
    assert '"lt": 2.2' in change.stored[0] and '"lt": 2.1' in change.stored[1]


def render(fields):
    return render_to_string("admin/guidance/ruleset/_field_changes.html", {"fields": fields})


def test_the_page_marks_removed_and_added_words_for_eyes_and_screen_readers():
    html = render({"text": [SUPPLEMENTS, SUPPLEMENTS.replace("400", "800")],
                   "bonecare_default": [False, True], "priority": [100, 90]})
    assert '<del><span class="visually-hidden">removed: </span>400</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>800</ins>' in html
    assert html.count("<del>") == 3 and html.count("<ins>") == 3  # text, default, priority
    assert "removed: </span>no</del>" in html and "added: </span>yes</ins>" in html
    assert not re.search(r"\b(True|False|None)\b", html)
    assert "What the clinician reads" in html and "bonecare_default" not in html


def test_the_stored_condition_is_collapsed_never_the_only_form():
    html = render({"condition": [{"fact": "pregnant", "eq": True},
                                 {"fact": "pregnant", "eq": False}],
                   "condition in words": ["pregnant is yes", "pregnant is no"]})
    words, stored = html.split("<details", 1)
    assert "removed: </span>yes</del>" in words and "added: </span>no</ins>" in words
    assert "{" not in words and '"fact": "pregnant"' in unescape(stored)
