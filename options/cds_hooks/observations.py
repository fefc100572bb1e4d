"""Observations, allergies, medications and procedures to assessment fields or card context.
No Django. Where two results disagree the latest wins; results older than 90 days are not
used (the card says so); a unit BoneCare cannot convert leaves the field unknown."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from guidance.codes import OBSERVATION_LISTS, CodeLists

if TYPE_CHECKING:  # hints only: FHIR's models load when a request names them, not at start-up
    from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
    from fhir.resources.R4B.codeableconcept import CodeableConcept
    from fhir.resources.R4B.coding import Coding
    from fhir.resources.R4B.medicationstatement import MedicationStatement
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.procedure import Procedure

    from .mapping import Mapped  # mapping.py imports this module to map the rest of the record

MAX_AGE_DAYS = 90
IGNORED_STATUS = {"entered-in-error", "cancelled"}
# Unit (UCUM code or common spelling) -> factor to the contract's unit, per field.
UNITS = {
    "creatinine_clearance_ml_min": {"ml/min": 1.0},
    "serum_creatinine_umol_l": {"umol/l": 1.0, "µmol/l": 1.0, "μmol/l": 1.0,
                                "mg/dl": 88.42, "mmol/l": 1000.0},
    "weight_kg": {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237},
    "corrected_calcium_mmol_l": {"mmol/l": 1.0, "mg/dl": 1 / 4.008},
}
FIELDS = {"creatinine_clearance": "creatinine_clearance_ml_min",
          "serum_creatinine": "serum_creatinine_umol_l", "weight": "weight_kg",
          "corrected_calcium": "corrected_calcium_mmol_l"}
CONTEXT_ONLY = {"egfr": "eGFR", "plain_calcium": "Calcium (not corrected)"}
DIGITS = {"corrected_calcium_mmol_l": 2}


def _when(observation: Observation) -> datetime.date | None:
    """Return the date an Observation applies to, or None when it does not say."""
    value = observation.effectiveDateTime
    if value is None and observation.effectivePeriod is not None:
        value = observation.effectivePeriod.end or observation.effectivePeriod.start
    if value is None:
        value = observation.issued
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else None


def _quantity(observation: Observation) -> tuple[float | None, str]:
    quantity = observation.valueQuantity
    if quantity is None or quantity.value is None:
        return None, ""
    unit = (quantity.code or quantity.unit or "").strip()
    return float(quantity.value), unit


def _shown(value: float) -> str:
    return f"{value:g}"


def observations_map(observations: Iterable[Observation], mapped: Mapped, codes: CodeLists,
                     today: datetime.date) -> None:
    """Set the lab fields from the latest recent result of each; note the rest."""
    latest = {}
    for observation in observations:
        if observation.status in IGNORED_STATUS:
            continue
        name = _list_of(observation, mapped, codes)
        if name is None:
            continue
        when = _when(observation)
        label = _display(observation, name)
        if when is None:
            mapped.note(f"{label}: undated, not used")
            continue
        if (today - when).days > MAX_AGE_DAYS:
            mapped.note(f"{label} from {when:%Y-%m-%d}: older than {MAX_AGE_DAYS} days, "
                        "not used")
            continue
        if name not in latest or when > latest[name][0]:
            latest[name] = (when, observation)
    for name, (when, observation) in latest.items():
        _use(name, when, observation, mapped, codes)


def _list_of(observation: Observation, mapped: Mapped, codes: CodeLists) -> str | None:
    unknown = []
    for coding in observation.code.coding or [] if observation.code else []:
        for name in OBSERVATION_LISTS:
            if codes.match(name, coding.system, coding.code) is not None:
                return name
        unknown.append(f"{coding.system or 'no system'}|{coding.code or ''}"
                       + (f" ({coding.display})" if coding.display else ""))
    mapped.unrecognised += unknown
    return None


def _display(observation: Observation, name: str) -> str:
    if name in CONTEXT_ONLY:
        return CONTEXT_ONLY[name]
    text = observation.code.text if observation.code else None
    return text or name.replace("_", " ").capitalize()


def _use(name: str, when: datetime.date, observation: Observation, mapped: Mapped,
         codes: CodeLists) -> None:
    if name == "pregnancy_status":
        _pregnancy(observation, mapped, codes)
        return
    value, unit = _quantity(observation)
    if value is None:
        mapped.note(f"{_display(observation, name)} ({when:%Y-%m-%d}): no value, not used")
        return
    if name in CONTEXT_ONLY:
        mapped.note(f"{CONTEXT_ONLY[name]} {_shown(value)} {unit} ({when:%Y-%m-%d}): "
                    "context only, not used")
        return
    field = FIELDS[name]
    factor = UNITS[field].get(unit.lower())
    if factor is None:
        hint = " (an eGFR unit: never a clearance)" if "1.73" in unit else ""
        mapped.note(f"{_display(observation, name)} {_shown(value)} {unit} "
                    f"({when:%Y-%m-%d}): unit not recognised{hint}, not used")
        return
    mapped.assessment[field] = round(value * factor, DIGITS.get(field, 1))
    mapped.source(field, "a test result", when)


def _pregnancy(observation: Observation, mapped: Mapped, codes: CodeLists) -> None:
    concept = observation.valueCodeableConcept
    for coding in concept.coding or [] if concept else []:
        entry = codes.match("pregnancy_value", coding.system, coding.code)
        if entry is not None:
            if entry.value in ("true", "false"):
                mapped.assessment["pregnant"] = entry.value == "true"
                mapped.source("pregnant", "a test result", _when(observation))
            return


def allergies_map(allergies: Iterable[AllergyIntolerance], mapped: Mapped,
                  codes: CodeLists) -> None:
    """Cement or contrast allergy: true if any active one says so, false on "no known
    allergy", else absent; refuted or inactive records do not count."""
    says = set()
    for allergy in allergies:
        if {c.code for c in _codings(allergy.verificationStatus)} & {"refuted",
                                                                      "entered-in-error"}:
            continue
        clinical = {c.code for c in _codings(allergy.clinicalStatus)}
        if clinical and "active" not in clinical:
            continue
        concepts = [allergy.code] + [s for r in allergy.reaction or [] for s in [r.substance]]
        found = [codes.match("cement_allergy", c.system, c.code)
                 for concept in concepts for c in _codings(concept)]
        says |= {e.value for e in found if e is not None}
        if not any(found):
            mapped.unrecognised += [f"{c.system or 'no system'}|{c.code or ''}"
                                    for concept in concepts for c in _codings(concept)]
    if "true" in says:
        mapped.assessment["cement_allergy"] = True
    elif "false" in says:
        mapped.assessment["cement_allergy"] = False
    if says & {"true", "false"}:
        mapped.source("cement_allergy", "an allergy record")


def _codings(concept: CodeableConcept | None) -> list[Coding]:
    return list(concept.coding or []) if concept is not None else []


def medications_map(statements: Iterable[MedicationStatement], mapped: Mapped,
                    codes: CodeLists) -> None:
    """Bone drugs and analgesics already taken: context for the card, never an answer."""
    for statement in statements:
        concept = statement.medicationCodeableConcept
        for coding in _codings(concept):
            drug = codes.match("bone_drug", coding.system, coding.code)
            pain = codes.match("analgesic", coding.system, coding.code)
            if drug or pain:
                name = (concept.text or coding.display or coding.code)
                kind = drug.value if drug else "analgesic"
                mapped.note(f"Medication recorded: {name} ({kind}, {statement.status})")
                break


def procedures_map(procedures: Iterable[Procedure], mapped: Mapped, codes: CodeLists) -> None:
    """Radiotherapy already given: context for the card (its response is not in FHIR)."""
    for procedure in procedures:
        for coding in _codings(procedure.code):
            if codes.match("radiotherapy", coding.system, coding.code):
                when = procedure.performedDateTime
                date = f" ({when:%Y-%m-%d})" if isinstance(when, datetime.date) else ""
                mapped.note(f"Radiotherapy recorded{date}: its effect on pain is asked")
                break
