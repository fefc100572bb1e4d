"""Stored values as the console shows them: a choice by its label, yes or no, a date in
words, an option's status as people say it; never a Python value (None, True, a dict's
repr) or a vocabulary code in running text. What an editor types as a code (a scenario's
assessment, a condition, an alert code) is shown as code, in <code>.
"""

import datetime
import json

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from simple_history.models import DeletedObject

from options.choices import field_name, label, missing_words
from options.rules import ConditionError
from options.rules.plain import condition_plain
from options.rules.thresholds import Bracket

NOT_SET = "not set"
LONGEST = 300  # characters of a long text shown in a list; the page of the version has all


def status_words(status: str) -> str:
    """An option's status as it reads in a sentence: "not applicable", "recommended"."""
    return label(status).lower() if status else NOT_SET


def statuses_in_words(expected: dict) -> str:
    """{option: status} as "Bisphosphonate: recommended; Denosumab: not applicable"."""
    return "; ".join(f"{label(option)}: {status_words(status)}"
                     for option, status in (expected or {}).items()) or "none"


def options_in_words(options: list) -> str:
    """A list of options as "Bisphosphonate, Denosumab", or "none"."""
    return ", ".join(label(option) for option in options or []) or "none"


def codes_in_words(codes: list) -> SafeString | str:
    """Codes an editor types (alert codes) as code, or "none"."""
    if not codes:
        return "none"
    return format_html_join(", ", "<code>{}</code>", ((code,) for code in codes))


def scores_in_words(scores: dict) -> str:
    """{"sins": [10], "sins_range": [[6, 12]]} as "SINS score: 10; SINS score between 6 and 12"."""
    parts = []
    for name, values in (scores or {}).items():
        score = field_name(name.removesuffix("_range"))
        for value in values:
            if isinstance(value, list | tuple) and len(value) == 2:
                parts.append(f"{score} between {value[0]} and {value[1]}")
            else:
                parts.append(f"{score}: {value}")
    return "; ".join(parts) or "none"


def missing_in_words(missing: dict) -> str:
    """{option: [paths]} as "Denosumab: Corrected calcium, Weight" ("nothing" for [])."""
    return "; ".join(
        f"{label(option)}: {', '.join(missing_words(path) for path in paths) or 'nothing'}"
        for option, paths in (missing or {}).items()) or "none"


def derived_in_words(derived: dict) -> str:
    """{name: value} as "Creatinine clearance: 79.6"."""
    return "; ".join(f"{field_name(name)}: {value}"
                     for name, value in (derived or {}).items()) or "none"


def as_code(value: object) -> SafeString:
    """JSON an editor reads as data, in <code>, shortened in a list."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return format_html('<code class="json-field">{}</code>', shorten(text))


def shorten(text: str, longest: int = LONGEST) -> str:
    return text if len(text) <= longest else text[: longest - 1].rstrip() + "…"


def field_value_words(field: models.Field, value: object) -> SafeString | str:
    """One stored value of a model field, as the console shows it."""
    if value is None or value == "" or getattr(value, "pk", 0) is None:
        return NOT_SET
    if isinstance(value, DeletedObject):
        return f"a {value.model._meta.verbose_name} since deleted"
    if field.choices and not isinstance(value, list | dict):
        return str(dict(field.flatchoices).get(value, label(str(value))))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    if isinstance(value, list | dict):
        return as_code(value)
    return shorten(str(value))


def mark(kind: str) -> SafeString:
    """A drawn status mark (guidance/static/guidance/marks.svg), hidden from screen readers:
    always put beside the status in words."""
    return mark_safe(render_to_string("admin/guidance/_mark.html", {"kind": kind}).strip())


def bracket_words(bracket: Bracket) -> str:
    """A threshold no scenario brackets, in words: "corrected calcium below 2.15 mmol/L
    (DEF-HYPOCALCAEMIA, used by BP-HOLD-01): no scenario just inside (within 0.05)"."""
    threshold = bracket.threshold
    try:
        words = condition_plain({"fact": threshold.fact, threshold.op: threshold.value})
    except ConditionError:
        return str(bracket)
    where = ", ".join(threshold.rules)
    if threshold.via:
        where += f", used by {', '.join(threshold.via)}"
    return f"{words} ({where}){str(bracket).removeprefix(str(threshold))}"
