"""Strict validation of the assessment contract: the one place that says what is valid.

Every interface (form, REST API, CDS Hooks, command line) passes raw input through
`validate_assessment`; each error names its field by path (`lesions[1].level`) and says
what is allowed. Nothing here imports Django.
"""

import math
import re
import unicodedata

from nhs_number import is_valid as nhs_number_is_valid

from .rules.vocab import (
    CANCER_TYPES,
    LESION_FACTS,
    LESION_FIELD_SITES,
    LESION_FIELDS_ENTERED,
    PATIENT_FACTS,
    PRIOR_TREATMENT_FIELDS,
    REQUIRED_LESION_FIELDS,
    RESPONSES,
    SACRAL_LEVELS,
    SITES,
    TREATMENTS,
)

MAX_LESIONS = 20
MAX_PRIOR_TREATMENTS = 30
# Every patient field's kind, range and choices come from the engine's vocabulary.
BOOLEAN_FIELDS = tuple(name for name, kind in PATIENT_FACTS.items() if kind == ("bool",))
NUMBER_FIELDS = {
    name: (kind[1], kind[2], kind[0] == "int")
    for name, kind in PATIENT_FACTS.items() if kind[0] in ("int", "number")
}
ENUM_FIELDS = {name: kind[1] for name, kind in PATIENT_FACTS.items() if kind[0] == "enum"}
ASSESSMENT_FIELDS = (
    ("patient_ref",) + tuple(NUMBER_FIELDS) + tuple(ENUM_FIELDS) + BOOLEAN_FIELDS
    + ("lesions", "prior_treatments")
)
# Fields that belong to one cancer type only.
CANCER_SPECIFIC = {"prostate_hormone_status": "prostate", "myeloma_needs_treatment": "myeloma"}
_TEN_DIGITS = re.compile(r"\d{10}")
_INVISIBLE = ("Cc", "Cf")  # control and format characters


def _invisible_ranges():
    """Return the regular-expression ranges of the control and format characters in the BMP.

    Beyond the BMP a range cannot be written that Python and ECMA (without its u flag) read
    alike, so the few format characters there are refused by patient_ref_problem alone.
    """
    points = [cp for cp in range(0x10000) if unicodedata.category(chr(cp)) in _INVISIBLE]
    ranges = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    escape = "\\u{:04x}".format
    return "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges)


# A patient reference is text with at least one visible character and no control or format
# characters: not NUL (PostgreSQL cannot store it), nor the invisible ones (zero-width space
# and joiner, bidirectional overrides, byte-order mark) that make two references look alike
# yet differ. The REST API's schema publishes this pattern, written so that Python and ECMA
# regular expressions read it alike (hence no \s: they disagree on it).
_CONTROL = _invisible_ranges()
_BLANK = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
PATIENT_REF_PATTERN = rf"^[^{_CONTROL}]*[^{_BLANK}{_CONTROL}][^{_CONTROL}]*$"
PATIENT_REF_MAX_LENGTH = 64
_PATIENT_REF = re.compile(PATIENT_REF_PATTERN)


class AssessmentInvalid(ValueError):
    """The input breaks the contract; `errors` lists {"path", "message"} pairs."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))
        self.errors = errors


class _Errors(list):
    def add(self, path, message):
        self.append({"path": path, "message": message})


def validate_assessment(data):
    """Return a clean contract dict (unknowns omitted) or raise AssessmentInvalid."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise AssessmentInvalid([{"path": "", "message": "must be a JSON object"}])
    for name in data:
        if name not in ASSESSMENT_FIELDS:
            errors.add(str(name), "unknown field")
    clean = {}
    _patient_ref(data, clean, errors)
    for name, (low, high, integral) in NUMBER_FIELDS.items():
        _number(data, clean, errors, name, name, low, high, integral)
    for name, allowed in ENUM_FIELDS.items():
        _enum(data, clean, errors, name, name, allowed)
    for name in BOOLEAN_FIELDS:
        _boolean(data, clean, errors, name, name)
    _cancer_rules(clean, errors)
    _sex_rules(clean, errors)
    _list(data, clean, errors, "lesions", MAX_LESIONS, _lesion)
    _list(data, clean, errors, "prior_treatments", MAX_PRIOR_TREATMENTS, _prior_treatment)
    if errors:
        raise AssessmentInvalid(list(errors))
    return clean


def _cancer_rules(clean, errors):
    cancer = clean.get("cancer_type")
    if cancer is None:
        if "cancer_type" not in {e["path"] for e in errors}:
            errors.add("cancer_type", "required: one of " + ", ".join(CANCER_TYPES))
        return
    # bone_metastases, prostate_hormone_status and myeloma_needs_treatment may be absent
    # (unknown): EHR data often lacks them (clinical/rules.md, "Unknown inputs").
    for name, owner in CANCER_SPECIFIC.items():
        if cancer != owner and name in clean:
            errors.add(name, f"applies only when cancer_type is {owner}")


def _sex_rules(clean, errors):
    if clean.get("sex") == "male" and clean.get("pregnant") is True:
        errors.add("pregnant", "cannot be true when sex is male")
        errors.add("sex", "is male, but pregnant is true: correct one of them")


def patient_ref_problem(value):
    """Return why a patient reference is not acceptable, or None when it is."""
    if (not isinstance(value, str) or len(value) > PATIENT_REF_MAX_LENGTH
            or not _PATIENT_REF.match(value) or invisible_characters(value)):
        return ("must be a non-empty string of at most 64 printable characters "
                "(no control or invisible formatting characters)")
    compact = patient_ref_normal(value).replace(" ", "").replace("-", "")
    if _TEN_DIGITS.fullmatch(compact) and not nhs_number_is_valid(compact):
        return "looks like an NHS number but its check digit is wrong"
    return None


def patient_ref_normal(value):
    """Return a patient reference as it is stored and searched: NFC, outer spaces removed.

    The same name typed on two keyboards (a composed or a decomposed "é") is then one name.
    """
    return unicodedata.normalize("NFC", value).strip()


def invisible_characters(value):
    """Tell whether the text holds a control or format character, or a lone surrogate."""
    return not _utf8(value) or any(unicodedata.category(ch) in _INVISIBLE for ch in value)


def _utf8(value):
    """True unless the text holds a lone surrogate (JSON allows one; UTF-8 cannot carry it)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _patient_ref(data, clean, errors):
    value = data.get("patient_ref")
    if value is None:
        return
    problem = patient_ref_problem(value)
    if problem:
        errors.add("patient_ref", problem)
        return
    clean["patient_ref"] = patient_ref_normal(value)


def _number(data, clean, errors, name, path, low, high, integral):
    value = data.get(name)
    if value is None:
        return
    kind = "a whole number" if integral else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float) or (
        isinstance(value, float) and not (math.isfinite(value) and (
            not integral or value.is_integer()))
    ):
        errors.add(path, f"must be {kind} from {low} to {high}")
    elif not low <= value <= high:
        errors.add(path, f"must be {kind} from {low} to {high}, got {value}")
    else:
        clean[name] = int(value) if integral else value


def _enum(data, clean, errors, name, path, allowed):
    value = data.get(name)
    if value is None:
        return
    if not isinstance(value, str) or value not in allowed:
        errors.add(path, f"must be one of {', '.join(allowed)}")
    else:
        clean[name] = value


def _boolean(data, clean, errors, name, path):
    value = data.get(name)
    if value is None:
        return
    if not isinstance(value, bool):
        errors.add(path, "must be true or false")
    else:
        clean[name] = value


def _list(data, clean, errors, name, limit, validate_item):
    value = data.get(name)
    if value is None:
        return
    if not isinstance(value, list):
        errors.add(name, "must be a list")
        return
    if len(value) > limit:
        errors.add(name, f"at most {limit} items, got {len(value)}")
        return
    items = [validate_item(item, f"{name}[{i}]", errors) for i, item in enumerate(value)]
    clean[name] = items


def _lesion(item, path, errors):
    if not isinstance(item, dict):
        errors.add(path, "must be an object")
        return None
    clean = {}
    _enum(item, clean, errors, "site", f"{path}.site", SITES)
    site = clean.get("site")
    for name in item:
        if name not in LESION_FIELDS_ENTERED:
            errors.add(f"{path}.{name}", "unknown field")
        elif site and site not in LESION_FIELD_SITES[name] and item[name] is not None:
            errors.add(f"{path}.{name}", f"does not apply to a {site} lesion")
    if site is None:
        if item.get("site") is None:
            errors.add(f"{path}.site", "required: one of " + ", ".join(SITES))
        return None
    for name in LESION_FIELDS_ENTERED:
        if name != "site" and site in LESION_FIELD_SITES[name]:
            _lesion_finding(item, clean, errors, site, name, f"{path}.{name}")
    return clean


def _lesion_finding(item, clean, errors, site, name, path):
    kind = LESION_FACTS[name]
    allowed = SACRAL_LEVELS if (name == "level" and site == "sacrum") else kind[-1]
    if kind[0] == "bool":
        _boolean(item, clean, errors, name, path)
    else:
        _enum(item, clean, errors, name, path, allowed)
    if name in REQUIRED_LESION_FIELDS[site] and item.get(name) is None:
        errors.add(path, f"required for a {site} lesion: one of " + ", ".join(allowed))


def _prior_treatment(item, path, errors):
    if not isinstance(item, dict):
        errors.add(path, "must be an object")
        return None
    for name in item:
        if name not in PRIOR_TREATMENT_FIELDS:
            errors.add(f"{path}.{name}", "unknown field")
    clean = {}
    for name, allowed in (("treatment", TREATMENTS), ("response", RESPONSES)):
        _enum(item, clean, errors, name, f"{path}.{name}", allowed)
        if item.get(name) is None:
            errors.add(f"{path}.{name}", "required: one of " + ", ".join(allowed))
    _number(item, clean, errors, "weeks_ago", f"{path}.weeks_ago", 0, 10_000, True)
    return clean
