"""How a change reads on the review pages: each field named in words, each value in words
(yes and no, option and status labels; never a Python value), and texts compared word by word.

The diffs themselves (guidance.scenarios.diff) are stored with each review as plain data;
this only presents them, so an old review reads the same way as a new one.
"""

import difflib
import json
import re
from dataclasses import dataclass, field

from options.choices import field_name, label
from options.vocab import ALERT_SEVERITIES, OPTIONS, RULE_EFFECTS, STATUSES

__all__ = ["FieldChange", "field_changes", "value_words", "words_diff"]

_TOKENS = re.compile(r"\s+|\S+")
_VOCABULARY = frozenset((*OPTIONS, *STATUSES, *RULE_EFFECTS, *ALERT_SEVERITIES))
LABELS = {
    # rules
    "option": "Option", "effect": "Effect", "status": "Status", "priority": "Priority",
    "condition in words": "When it applies", "condition": "When it applies",
    "section": "Section of the guidance", "text": "What the clinician reads",
    "patient_text": "What the patient reads", "alert_code": "Alert code",
    "alert_severity": "Alert severity", "defines": "Derived fact it defines",
    "temporary": "Temporary stop (lifts once its cause is corrected)",
    "bonecare_default": "BoneCare's own default (the guidance is silent)",
    "editor_note": "Note for editors", "guidance": "Guidance document",
    # documents, code lists, the ruleset
    "title": "Title", "url": "Address", "publisher": "Publisher", "published": "Published",
    "last_reviewed": "Last reviewed", "next_review_due": "Next review due",
    "evidence_note": "Evidence note", "replaced_by": "Replaced by", "value": "Value",
    "display": "Display", "evidence": "Evidence", "active": "In use", "notes": "Notes",
    # expectations
    "expected": "Expected advice", "expected_hold": "Expected on hold",
    "expected_alerts": "Expected alerts", "expected_scores": "Expected scores",
    "expected_missing": "Expected missing information",
    "expected_derived": "Expected derived facts", "note": "Why the expectation is so",
}
_PREFIXES = {"expected": "Expected for {}", "expected_scores": "Expected {}",
             "expected_derived": "Expected {}", "assessment": "Assessment: {}"}


def words_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Return the (kind, text) segments that turn `before` into `after` word by word, kind
    "same", "removed" or "added"; a change of spacing alone reads as the same."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    runs = []  # ("same", text) or ("changed", removed, added)
    matcher = difflib.SequenceMatcher(str.isspace, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "equal" or not (removed + added).strip():
            runs.append(("same", added))
        elif len(runs) > 1 and runs[-2][0] == "changed" and runs[-1][1].isspace():
            space = runs.pop()[1]  # "below 2.20" -> "under 2.10" reads as one change
            runs[-1] = ("changed", runs[-1][1] + space + removed, runs[-1][2] + space + added)
        else:
            runs.append(("changed", removed, added))
    return _segments(runs)


def _pairs(run):
    """Return a run as (kind, text) pairs; the spaces around words only inserted or only
    deleted are pairs of their own, so that the page marks the words alone."""
    if run[0] == "same":
        return [run]
    kind, removed, added = run
    if removed and added:
        return [("removed", removed), ("added", added)]
    kind, text = ("removed", removed) if removed else ("added", added)
    core = text.strip()
    start = text.index(core)
    return [(kind, text[:start]), (kind, core), (kind, text[start + len(core):])]


def _segments(runs):
    segments = []
    for run in runs:
        for kind, text in _pairs(run):
            if not text:
                continue
            if segments and segments[-1][0] == kind == "same":
                segments[-1] = (kind, segments[-1][1] + text)
            else:
                segments.append((kind, text))
    return segments


def _word(value):
    if isinstance(value, str) and value in _VOCABULARY:
        return label(value)
    return value_words(value)


def value_words(value) -> str:
    """Return a stored value as people read it: yes or no, labels, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return label(value) if value in _VOCABULARY else value
    if isinstance(value, list):
        return ", ".join(_word(item) for item in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{_word(key) if key in _VOCABULARY else field_name(key)}: "
                         f"{_word(item)}" for key, item in value.items()) or "none"
    return str(value)


def _label(name):
    if name in LABELS:
        return LABELS[name]
    head, _, key = name.partition(".")
    if key and head in _PREFIXES:
        return _PREFIXES[head].format(label(key) if key in _VOCABULARY else field_name(key))
    return field_name(name)


@dataclass(frozen=True)
class FieldChange:
    """One field's change as read: its name in words, the word-by-word segments, and (for a
    condition) the stored structure before and after."""

    label: str
    segments: list
    stored: tuple = field(default=())

    @property
    def spacing_only(self):
        return all(kind == "same" for kind, _ in self.segments)


def _stored(value):
    return json.dumps(value, indent=1, sort_keys=True) if value is not None else "(none)"


def field_changes(fields: dict) -> list[FieldChange]:
    """Return each changed field of a diff entry ({name: [before, after]}) as read: a
    condition in plain words first, with its stored structure beside it."""
    changes = []
    for name, (before, after) in fields.items():
        if name == "condition in words":
            continue
        if name == "condition":
            words = fields.get("condition in words") or [json.dumps(before),
                                                         json.dumps(after)]
            changes.append(FieldChange(_label(name), words_diff(*words),
                                       (_stored(before), _stored(after))))
            continue
        changes.append(FieldChange(_label(name),
                                   words_diff(value_words(before), value_words(after))))
    return changes
