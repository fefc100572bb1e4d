"""Strict validation of the assessment contract: the one place that says what is valid.

Every interface (form, REST API, CDS Hooks, command line) passes raw input through
`validate_assessment`; each error names its field by path (`lesions[1].level`) and says
what is allowed. Nothing here imports Django.
"""

import math
import re
import unicodedata
from dataclasses import dataclass

from nhs_number import is_valid as nhs_number_is_valid

from .rules import vocab

# Every field's kind, range, choices, required-ness and applicability come from the engine's
# vocabulary; `contract_validator` reads them, so a fact added there is validated here.
MAX_LESIONS = vocab.MAX_LESIONS
MAX_PRIOR_TREATMENTS = vocab.MAX_PRIOR_TREATMENTS
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


@dataclass(frozen=True)
class ContractValidator:
    """The contract's facts as the validator reads them; `contract_validator` builds it."""

    patient: dict
    lesion: dict
    prior: dict
    cancer_specific: dict
    not_for_sex: dict
    max_lesions: int
    max_prior_treatments: int

    @property
    def fields(self):
        """Return the assessment's top-level field names."""
        return ("patient_ref", *self.patient, "lesions", "prior_treatments")

    def __call__(self, data):
        """Return a clean contract dict (unknowns omitted) or raise AssessmentInvalid."""
        errors = _Errors()
        if not isinstance(data, dict):
            raise AssessmentInvalid([{"path": "", "message": "must be a JSON object"}])
        for name in data:
            if name not in self.fields:
                errors.add(str(name), "unknown field")
        clean = {}
        _patient_ref(data, clean, errors)
        for name, kind in self.patient.items():
            _fact(data, clean, errors, name, name, kind)
        self._cancer_rules(clean, errors)
        self._sex_rules(clean, errors)
        _list(data, clean, errors, "lesions", self.max_lesions, self._lesion)
        _list(data, clean, errors, "prior_treatments", self.max_prior_treatments,
              self._prior_treatment)
        if errors:
            raise AssessmentInvalid(list(errors))
        return clean

    def _cancer_rules(self, clean, errors):
        cancer = clean.get("cancer_type")
        if cancer is None:
            if "cancer_type" not in {e["path"] for e in errors}:
                errors.add("cancer_type", "required: one of "
                           + ", ".join(self.patient["cancer_type"][1]))
            return
        # bone_metastases, prostate_hormone_status and myeloma_needs_treatment may be absent
        # (unknown): EHR data often lacks them (clinical/rules.md, "Unknown inputs").
        for name, owner in self.cancer_specific.items():
            if cancer != owner and name in clean:
                errors.add(name, f"applies only when cancer_type is {owner}")

    def _sex_rules(self, clean, errors):
        for name, sex in self.not_for_sex.items():
            if clean.get("sex") == sex and clean.get(name) is True:
                errors.add(name, f"cannot be true when sex is {sex}")
                errors.add("sex", f"is {sex}, but {name} is true: correct one of them")

    def _lesion(self, item, path, errors):
        if not isinstance(item, dict):
            errors.add(path, "must be an object")
            return None
        clean = {}
        sites = self.lesion["site"].kind[1]
        _fact(item, clean, errors, "site", f"{path}.site", self.lesion["site"].kind)
        site = clean.get("site")
        for name in item:
            if name not in self.lesion:
                errors.add(f"{path}.{name}", "unknown field")
            elif site and site not in self.lesion[name].sites and item[name] is not None:
                errors.add(f"{path}.{name}", f"does not apply to a {site} lesion")
        if site is None:
            if item.get("site") is None:
                errors.add(f"{path}.site", "required: one of " + ", ".join(sites))
            return None
        for name, fact in self.lesion.items():
            if name != "site" and site in fact.sites:
                kind = fact.kind_at(site)
                _fact(item, clean, errors, name, f"{path}.{name}", kind)
                if site in fact.required_at and item.get(name) is None:
                    errors.add(f"{path}.{name}", f"required for a {site} lesion: one of "
                               + ", ".join(kind[1]))
        return clean

    def _prior_treatment(self, item, path, errors):
        if not isinstance(item, dict):
            errors.add(path, "must be an object")
            return None
        for name in item:
            if name not in self.prior:
                errors.add(f"{path}.{name}", "unknown field")
        clean = {}
        for name, (kind, required) in self.prior.items():
            _fact(item, clean, errors, name, f"{path}.{name}", kind)
            if required and item.get(name) is None:
                errors.add(f"{path}.{name}", "required: one of " + ", ".join(kind[1]))
        return clean


@dataclass(frozen=True)
class LesionFact:
    """One entered lesion finding: its kind, the sites it applies to, where it is required."""

    kind: tuple
    sites: frozenset
    required_at: frozenset
    site_choices: dict

    def kind_at(self, site):
        """Return the finding's kind at a site (a sacral level is S1 to S5)."""
        return ("enum", self.site_choices[site]) if site in self.site_choices else self.kind


def lesion_facts(v=vocab):
    """Return {entered lesion finding: LesionFact} from a vocabulary, in contract order."""
    return {
        name: LesionFact(
            kind=v.LESION_FACTS[name],
            sites=frozenset(v.LESION_FIELD_SITES[name]),
            required_at=frozenset(site for site, names in v.REQUIRED_LESION_FIELDS.items()
                                  if name in names),
            site_choices=v.LESION_FIELD_SITE_CHOICES.get(name, {}),
        )
        for name in v.LESION_FIELDS_ENTERED
    }


def contract_validator(v=vocab):
    """Build the contract validator from a vocabulary (the engine's, unless another given)."""
    return ContractValidator(
        patient=dict(v.PATIENT_FACTS),
        lesion=lesion_facts(v),
        prior={name: (kind, name in v.REQUIRED_PRIOR_FIELDS)
               for name, kind in v.PRIOR_FACTS.items()},
        cancer_specific=dict(v.PATIENT_FIELD_CANCERS),
        not_for_sex=dict(v.PATIENT_FIELD_NOT_FOR_SEX),
        max_lesions=v.MAX_LESIONS,
        max_prior_treatments=v.MAX_PRIOR_TREATMENTS,
    )


validate_assessment = contract_validator()


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


def _fact(data, clean, errors, name, path, kind):
    """Check one value against its vocabulary kind: enum, bool, int or number."""
    if kind[0] == "enum":
        _enum(data, clean, errors, name, path, kind[1])
    elif kind[0] == "bool":
        _boolean(data, clean, errors, name, path)
    else:
        _number(data, clean, errors, name, path, kind[1], kind[2], kind[0] == "int")
