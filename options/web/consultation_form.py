"""The whole consultation form: answers, lesion rows and prior-treatment rows together.

It turns posted fields into the contract dict, adds or removes rows without JavaScript,
pre-fills from a stored assessment, and puts the contract validator's errors (by path,
such as `lesions[1].level`) beside the right field and into the error summary.
"""

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Self, TypedDict

from django import forms

from .. import vocab
from ..rules.derive import CG_FROM, creatinine_clearance
from ..validation import AssessmentInvalid, validate_assessment
from .forms import (
    ABOUT_PATIENT,
    FORM_ONLY,
    FORMSETS,
    LIST_STATUS,
    MAX_ROWS,
    PREFIXES,
    SAFETY_SECTION,
    AssessmentForm,
    YesNoField,
)

if TYPE_CHECKING:
    from .presenters.scoring import ScoreTable

# The order of the page, for the error summary: a fact the page does not place yet comes
# before the safety section.
ORDER = ("patient_ref", *ABOUT_PATIENT[1:], "lesions", "lesions_status", "prior_treatments",
         "prior_treatments_status",
         *(name for name in AssessmentForm.base_fields
           if name not in (*ABOUT_PATIENT, *SAFETY_SECTION, *FORM_ONLY)),
         *SAFETY_SECTION)
ROW_NAMES = {"lesions": "Lesion", "prior_treatments": "Treatment"}
REQUIRED_MESSAGES = {
    "cancer_type": "Select the primary cancer",
    "site": "select where the lesion is",
    "level": "select the vertebral level",
    "lesion_type": "select the lesion type",
    "pain": "select the pain",
    "treatment": "select the treatment",
    "response": "select how well it worked",
}
# The validator's words for a conflict, said the way the form asks the questions:
# field -> (start of the validator's message, what the clinician reads).
REWORDED = {
    "pregnant": ("cannot be true when sex is male",
                 "Pregnant is answered yes, but sex is male: correct one of them"),
    "sex": ("is male, but pregnant is true",
            "Sex is male, but pregnant is answered yes: correct one of them"),
}
_ITEM_PATH = re.compile(r"^(lesions|prior_treatments)\[(\d+)\](?:\.(\w+))?$")


class FieldError(TypedDict, total=False):
    """One error to place: the validator's {path, message}, or a field that did not parse."""

    path: str
    message: str
    parsed: bool  # the path names a form field, not a contract path


# Where an error sits on the page (section, row, field), its words, and its anchor.
Placed = tuple[tuple[int, int, int], str, str]


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def data_from_assessment(assessment: Mapping[str, object]) -> dict[str, str]:
    """Return form data that shows a stored contract assessment for editing."""
    data = {}
    for name, value in assessment.items():
        if name not in FORMSETS:
            data[name] = _form_value(value)
    for name in FORMSETS:
        rows = assessment.get(name)
        if rows == []:
            data[f"{name}_status"] = "none"
        data.update(_rows_to_data(name, [
            {key: _form_value(value) for key, value in row.items()} for row in rows or []]))
    return data


def _rows_to_data(name: str, rows: Sequence[Mapping[str, str]]) -> dict[str, str]:
    prefix = PREFIXES[name]
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def _rows_from_data(name: str, data: Mapping[str, str]) -> list[dict[str, str]]:
    prefix = PREFIXES[name]
    form_class = FORMSETS[name][1]
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), MAX_ROWS[name])
    except ValueError:
        total = 0
    return [{key: data.get(f"{prefix}-{index}-{key}", "") for key in form_class.base_fields}
            for index in range(max(total, 0))]


class ConsultationForm:
    """The assessment form and its two formsets, bound to one set of answers."""

    def __init__(self, data: Mapping[str, str] | None = None) -> None:
        data = dict(data or {})
        for name in FORMSETS:
            data = {**data, **_rows_to_data(name, _rows_from_data(name, data))}
        self.data = data
        self.assessment = AssessmentForm(data)
        self.lesions = FORMSETS["lesions"][0](data, prefix=PREFIXES["lesions"])
        self.prior_treatments = FORMSETS["prior_treatments"][0](
            data, prefix=PREFIXES["prior_treatments"])
        self.error_summary = []
        self.rows = {"lesions": [], "prior_treatments": []}

    @classmethod
    def with_action(cls, data: Mapping[str, str], action: str | None) -> Self:
        """Return the form after an add-row or remove-row button, answers kept."""
        data = dict(data)
        # ASCII digits, and few: int() refuses a number of thousands of digits with a 500.
        match = re.fullmatch(r"(add|remove)-(lesions|prior_treatments)(?:-([0-9]{1,4}))?",
                             action or "")
        if match:
            verb, name, index = match.groups()
            rows = _rows_from_data(name, data)
            if verb == "add" and len(rows) < MAX_ROWS[name]:
                rows.append({})
            elif verb == "remove" and index is not None and int(index) < len(rows):
                del rows[int(index)]
            data = {key: value for key, value in data.items()
                    if not key.startswith(PREFIXES[name] + "-")}
            data.update(_rows_to_data(name, rows))
        return cls(data)

    def formset(self, name: str) -> forms.BaseFormSet:
        """Return the formset for lesions or prior_treatments."""
        return self.lesions if name == "lesions" else self.prior_treatments

    def contract(self) -> dict[str, object]:
        """Return the contract dict built from the answers that parsed.

        Fields that did not parse (for example letters in a number) are left out and
        reported by `type_errors`.
        """
        self.assessment.is_valid()
        data = self.assessment.contract()
        for name in FORMSETS:
            items = []
            self.rows[name] = []
            for row, form in enumerate(self.formset(name).forms):
                form.is_valid()
                item = form.contract()
                if item is not None:
                    items.append(item)
                    self.rows[name].append(row)
            status = self.assessment.cleaned_data.get(f"{name}_status")
            if items or status == "none":
                data[name] = items
        return data

    def ignored_rows(self) -> list[str]:
        """Say each lesion or treatment row left blank, which contract() left out."""
        kinds = {"lesions": "Lesion", "prior_treatments": "Treatment"}
        return [f"{kinds[name]} {row + 1} was left blank, so it was not recorded."
                for name in FORMSETS for row in range(len(self.formset(name).forms))
                if row not in self.rows[name]]

    def type_errors(self) -> list[FieldError]:
        """Return the parsing errors as contract-style {path, message} pairs."""
        errors = [{"path": name, "message": messages[0], "parsed": True}
                  for name, messages in self.assessment.errors.items()]
        for name in FORMSETS:
            for row, form in enumerate(self.formset(name).forms):
                errors += [{"path": f"{PREFIXES[name]}-{row}-{field}", "message": messages[0],
                            "parsed": True} for field, messages in form.errors.items()]
        return errors

    def add_errors(self, errors: Sequence[FieldError]) -> None:
        """Show each error beside its field and in the summary, in the order of the page.

        The one conflict of sex and pregnancy is said once, beside the pregnancy question.
        """
        if any(e["path"] == "pregnant" for e in errors):
            errors = [e for e in errors if not (
                e["path"] == "sex" and e["message"].startswith(REWORDED["sex"][0]))]
        placed = [self._place(error) for error in errors]
        placed.sort(key=lambda item: item[0])
        self.error_summary = [{"text": text, "href": f"#{anchor}"}
                              for _, text, anchor in placed]

    def _place(self, error: FieldError) -> Placed:
        path, message = error["path"], error["message"]
        if error.get("parsed"):
            return self._place_parsed(path, message)
        match = _ITEM_PATH.match(path)
        if match:
            return self._place_item(match.group(1), int(match.group(2)), match.group(3),
                                    message)
        if path in self.assessment.fields:
            bound = self.assessment[path]
            text = _text(bound.label, path, message)
            bound.error_message = text
            return (ORDER.index(path) if path in ORDER else len(ORDER), 0, 0), text, _anchor(
                bound)
        anchor = f"{path}-section" if path in FORMSETS else "main-content"
        order = ORDER.index(path) if path in ORDER else -1
        return (order, 0, 0), _text(path.replace("_", " ").capitalize(), path, message), anchor

    def _place_parsed(self, path: str, message: str) -> Placed:
        for name in FORMSETS:
            prefix = PREFIXES[name] + "-"
            if path.startswith(prefix):
                row, field = path[len(prefix):].split("-", 1)
                form = self.formset(name).forms[int(row)]
                bound = form[field]
                text = f"{ROW_NAMES[name]} {int(row) + 1}: {message}"
                bound.error_message = text
                return (ORDER.index(name), int(row), list(form.fields).index(field)), text, \
                    _anchor(bound)
        bound = self.assessment[path]
        bound.error_message = message
        return (ORDER.index(path) if path in ORDER else len(ORDER), 0, 0), message, _anchor(
            bound)

    def _place_item(self, name: str, index: int, field: str | None, message: str) -> Placed:
        rows = self.rows[name]
        row = rows[index] if index < len(rows) else 0
        forms_ = self.formset(name).forms
        form = forms_[row] if row < len(forms_) else None
        if form is None:
            return (ORDER.index(name), 0, 0), message, f"{name}-section"
        field = field if field in form.fields else next(iter(form.fields))
        bound = form[field]
        text = f"{ROW_NAMES[name]} {row + 1}: " + _text(bound.label.lower(), field, message,
                                                        lower=True)
        bound.error_message = text
        return (ORDER.index(name), row, list(form.fields).index(field)), text, _anchor(bound)


def _text(label: str, field: str, message: str, *, lower: bool = False) -> str:
    if message.startswith("required") and field in REQUIRED_MESSAGES:
        return REQUIRED_MESSAGES[field]
    if field in REWORDED and message.startswith(REWORDED[field][0]):
        return REWORDED[field][1]
    text = f"{label} {message}"
    return text if lower else text[0].upper() + text[1:]


def _anchor(bound: forms.BoundField) -> str:
    if isinstance(bound.field.widget, forms.RadioSelect) or isinstance(bound.field, YesNoField):
        return f"{bound.auto_id}_0"
    return bound.auto_id


# The answers the creatinine clearance calculator reads, and how its sentence names them.
CALCULATOR_FIELDS = (*CG_FROM, "creatinine_clearance_ml_min")
CG_WORDS = {"age_years": "age", "sex": "sex", "weight_kg": "weight",
            "serum_creatinine_umol_l": "serum creatinine"}


def creatinine_clearance_shown(*, data: Mapping[str, object]) -> dict[str, object]:
    """Return the creatinine clearance the answers give and a sentence saying how.

    `data` holds the form's raw answers (strings, or numbers from JSON). The result has
    `errors` ({path, message}) when an answer does not parse or is out of range.
    """
    raw = {name: str(data[name]) for name in CALCULATOR_FIELDS if data.get(name) is not None}
    form = AssessmentForm(raw)
    form.is_valid()
    errors = [{"path": name, "message": messages[0]} for name, messages in form.errors.items()]
    values = {name: value for name, value in form.contract().items() if name in raw}
    errors += _range_errors(form, values)
    if errors:
        return {"errors": errors}
    return _clearance(values)


def _range_errors(form: forms.Form, values: Mapping[str, object]) -> list[dict[str, str]]:
    try:
        validate_assessment(values)
    except AssessmentInvalid as invalid:
        return [{"path": e["path"], "message": _text(form[e["path"]].label, e["path"],
                                                      e["message"])}
                for e in invalid.errors if e["path"] in values]
    return []


def _clearance(values: Mapping[str, object]) -> dict[str, object]:
    value, derivation = creatinine_clearance(values)
    if "creatinine_clearance_ml_min" in values:
        text = (f"Creatinine clearance as entered: {value:g} mL/min. An entered value takes "
                "precedence over the Cockcroft–Gault calculation.")
        return {"value": value, "method": "entered", "text": text}
    if derivation:
        inputs = _words([CG_WORDS[name] for name in derivation["from"]])
        text = (f"Calculated creatinine clearance: {value:g} mL/min (Cockcroft–Gault from "
                f"{inputs})")
        return {**derivation, "text": text}
    needed = [name for name in CG_FROM if name not in values]
    text = ""
    # Age and sex are asked for other reasons: prompt once a calculator input is given.
    if {"weight_kg", "serum_creatinine_umol_l"} & set(values):
        text = ("To calculate creatinine clearance by Cockcroft–Gault, also enter "
                f"{_words([CG_WORDS[name] for name in needed])}.")
    return {"value": None, "method": None, "needed": needed, "text": text}


def _words(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


SCORE_NAMES = {"sins": "SINS", "mirels": "Mirels"}
NOT_REPORTED_BAND = "depends on findings not reported"


def lesion_score_text(values: Mapping[str, str], *, tables: "Mapping[str, ScoreTable]") -> str:
    """Return "SINS 10 (Indeterminate)", or a range while a score finding is not reported.

    `tables` are the point tables the page's script also reads; nothing shows until the
    findings every score needs (site, level, lesion type, pain) are chosen.
    """
    site = values.get("site") or ""
    name = "sins" if site == "spine" else "mirels" if site in tables["mirels"]["site"] else None
    if name is None:
        return ""
    table = tables[name]
    low = high = 0
    for finding, points in table.items():
        value = values.get(finding)
        if finding == "bands":
            continue
        if value in points:
            low, high = low + points[value], high + points[value]
        elif finding in vocab.REQUIRED_LESION_FIELDS[site]:
            return ""
        else:
            low, high = low + min(points.values()), high + max(points.values())
    bands = table["bands"]
    if low == high:
        return f"{SCORE_NAMES[name]} {low} ({bands[low]})"
    band = bands[low] if bands[low] == bands[high] else NOT_REPORTED_BAND
    return f"{SCORE_NAMES[name]} {low} to {high} ({band})"


def score_required() -> dict[str, list[str]]:
    """Return, by site, the findings a score cannot be shown without (for the page's script)."""
    return {site: list(fields) for site, fields in vocab.REQUIRED_LESION_FIELDS.items()}


__all__ = ["ConsultationForm", "LIST_STATUS", "creatinine_clearance_shown",
           "data_from_assessment", "lesion_score_text"]
