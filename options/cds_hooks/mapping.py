"""FHIR R4 resources to the assessment of shared/spec/assessment.md. No Django.

Never guess: a field FHIR does not settle stays absent, so the engine asks for it. Codes are
looked up in the code lists (data); an unknown code is listed, never used. What the record
holds that is context only (eGFR, plain calcium, radiotherapy, analgesics, a coagulation
disorder) or too old is listed for the card.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fhir_core.fhirabstractmodel import FHIRAbstractModel

from guidance.codes import CodeLists, Entry

from .observations import allergies_map, medications_map, observations_map, procedures_map

if TYPE_CHECKING:  # hints only: FHIR's models load when a request names them, not at start-up
    from fhir.resources.R4B.codeableconcept import CodeableConcept
    from fhir.resources.R4B.coding import Coding
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.patient import Patient

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
PRESENT_CLINICAL = {"active", "recurrence", "relapse"}
NOT_PRESENT_VERIFICATION = {"refuted", "entered-in-error", "provisional", "differential"}
CONDITION_LISTS = ("cancer_type", "bone_metastases", "prostate_hormone_status",
                   "myeloma_needs_treatment", "mscc_signs", "coagulation_disorder")


@dataclass
class Mapped:
    """The assessment FHIR settles, with what the card should say about the rest."""

    assessment: dict = field(default_factory=dict)
    unrecognised: list = field(default_factory=list)
    context: list = field(default_factory=list)
    # field -> where in the record it came from, with the record's date where it has one
    # in words ("a test result dated 2026-11-20"), for a page that lists what came from the record
    sources: dict = field(default_factory=dict)

    def note(self, text: str) -> None:
        if text not in self.context:
            self.context.append(text)

    def source(self, name: str, kind: str, when: object = None) -> None:
        """Say where a field's value came from: the part of the record, in words, and the
        entry's date where it has one."""
        date = when.date() if isinstance(when, datetime.datetime) else when
        self.sources[name] = (f"{kind} dated {date:%Y-%m-%d}"
                              if isinstance(date, datetime.date) else kind)


def codings(concept: CodeableConcept | None) -> list[Coding]:
    return list(concept.coding or []) if concept is not None else []


def _label(coding: Coding) -> str:
    display = f" ({coding.display})" if coding.display else ""
    return f"{coding.system or 'no system'}|{coding.code or ''}{display}"


def _status(concept: CodeableConcept | None) -> set[str]:
    return {c.code for c in codings(concept) if c.code}


def assessment_from_fhir(prefetch: Mapping[str, object], *, codes: CodeLists,
                         today: datetime.date) -> Mapped:
    """Map the prefetch (key -> resources, None or absent) onto an assessment."""
    mapped = Mapped()
    patients = _resources(prefetch.get("patient"), "Patient")
    if patients:
        _patient(patients[0], mapped, today)
    conditions = prefetch.get("conditions")
    _conditions(_resources(conditions, "Condition"), mapped, codes,
                complete=isinstance(conditions, list))
    observations_map(_resources(prefetch.get("observations"), "Observation"), mapped, codes,
                     today)
    allergies_map(_resources(prefetch.get("allergies"), "AllergyIntolerance"), mapped, codes)
    medications_map(_resources(prefetch.get("medications"), "MedicationStatement"), mapped,
                    codes)
    procedures_map(_resources(prefetch.get("procedures"), "Procedure"), mapped, codes)
    return mapped


def _resources(value: object, kind: str) -> list[FHIRAbstractModel]:
    if not isinstance(value, list):
        return []
    return [r for r in value if r.get_resource_type() == kind]


def _patient(patient: Patient, mapped: Mapped, today: datetime.date) -> None:
    for identifier in patient.identifier or []:
        if identifier.system == NHS_NUMBER and identifier.value:
            mapped.assessment["patient_ref"] = identifier.value.replace(" ", "")
            mapped.source("patient_ref", "the patient details")
            break
    birth = patient.birthDate
    if isinstance(birth, datetime.date):  # a partial date ("1971-11") stays a string
        years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        mapped.assessment["age_years"] = years
        mapped.source("age_years", "the patient details (date of birth)")
    if patient.gender in ("male", "female"):
        mapped.assessment["sex"] = patient.gender
        mapped.source("sex", "the patient details")


def _condition_state(condition: Condition) -> str | None:
    """Return "present", "refuted" or None (does not count) for a Condition."""
    verification = _status(condition.verificationStatus)
    if "refuted" in verification:
        return "refuted"
    if verification & NOT_PRESENT_VERIFICATION:
        return None
    clinical = _status(condition.clinicalStatus)
    return "present" if clinical & PRESENT_CLINICAL else None


def _matches(concept: CodeableConcept | None, lists: Collection[str],
             codes: CodeLists) -> tuple[dict[str, Entry], list[Coding]]:
    """Return {list: entry} for a concept's codings, and the codings nothing recognised."""
    found, unknown = {}, []
    for coding in codings(concept):
        hits = {name: entry for name, entry in codes.lists_of(coding.system, coding.code).items()
                if name in lists}
        if not hits:
            unknown.append(coding)
        for name, entry in hits.items():
            found.setdefault(name, entry)
    return found, unknown


def _conditions(conditions: Iterable[Condition], mapped: Mapped, codes: CodeLists, *,
                complete: bool) -> None:
    cancers, bone, refuted_bone, anything_unknown = {}, [], False, False
    for condition in conditions:
        state = _condition_state(condition)
        if state is None:
            continue
        found, unknown = _matches(condition.code, CONDITION_LISTS, codes)
        if state == "refuted":
            refuted_bone = refuted_bone or "bone_metastases" in found
            continue
        if not found:
            mapped.unrecognised += [_label(c) for c in unknown]
            anything_unknown = anything_unknown or bool(unknown) or not codings(condition.code)
            continue
        _condition_facts(condition, found, mapped, cancers, bone)
    _bone_metastases(mapped, bone, refuted_bone)
    _cancer_type(mapped, cancers, bone)
    if not cancers and not bone and complete and not anything_unknown:
        # The EHR sent the whole problem list and it holds no cancer and nothing unknown.
        mapped.assessment["cancer_type"] = "none"
        mapped.note("No cancer on the problem list the EHR sent: outside this guidance")


def _condition_facts(condition: Condition, found: Mapping[str, Entry], mapped: Mapped,
                     cancers: dict[str, list[Condition]], bone: list[Condition]) -> None:
    if "cancer_type" in found:
        cancers.setdefault(found["cancer_type"].value, []).append(condition)
    if "bone_metastases" in found:
        bone.append(condition)
    for name in ("prostate_hormone_status", "myeloma_needs_treatment"):
        if name in found:
            value = found[name].value
            mapped.assessment[f"_{name}"] = {"true": True, "false": False}.get(value, value)
            mapped.source(name, "the problem list", _recorded(condition))
    if "mscc_signs" in found:
        mapped.assessment["mscc_signs"] = True
        mapped.source("mscc_signs", "the problem list", _recorded(condition))
    if "coagulation_disorder" in found:
        mapped.note("Coagulation disorder recorded: check before a procedure")


def _recorded(condition: Condition) -> object:
    """The date a Condition was recorded, else its onset, else None."""
    return condition.recordedDate or condition.onsetDateTime


def _bone_metastases(mapped: Mapped, bone: Sequence[Condition], refuted: bool) -> None:
    if bone:
        mapped.assessment["bone_metastases"] = True
        mapped.source("bone_metastases", "the problem list", _recorded(bone[0]))
    elif refuted:
        mapped.assessment["bone_metastases"] = False
        mapped.source("bone_metastases", "the problem list (ruled out)")


def _references(condition: Condition) -> set[str]:
    refs = set()
    for evidence in condition.evidence or []:
        refs |= {d.reference for d in evidence.detail or [] if d.reference}
    return refs


def _linked(cancer_conditions: Iterable[Condition], bone: Sequence[Condition]) -> bool:
    bone_refs = {f"Condition/{b.id}" for b in bone if b.id}
    bone_points_at = set().union(*(_references(b) for b in bone)) if bone else set()
    for condition in cancer_conditions:
        if _references(condition) & bone_refs:
            return True
        if condition.id and f"Condition/{condition.id}" in bone_points_at:
            return True
    return False


def _cancer_type(mapped: Mapped, cancers: dict[str, list[Condition]],
                 bone: Sequence[Condition]) -> None:
    hormone = mapped.assessment.pop("_prostate_hormone_status", None)
    needs = mapped.assessment.pop("_myeloma_needs_treatment", None)
    if len(cancers) > 1:
        linked = [kind for kind, conds in cancers.items() if _linked(conds, bone)]
        if len(linked) != 1:
            mapped.note("Several cancers recorded (" + ", ".join(sorted(cancers)) + ") and "
                        "none linked to the bone disease: the primary cancer is asked")
            return
        cancers = {linked[0]: cancers[linked[0]]}
    if not cancers:
        return
    kind = next(iter(cancers))
    mapped.assessment["cancer_type"] = kind
    mapped.source("cancer_type", "the problem list", _recorded(cancers[kind][0]))
    if kind == "prostate" and hormone is not None:
        mapped.assessment["prostate_hormone_status"] = hormone
    if kind == "myeloma" and needs is not None:
        mapped.assessment["myeloma_needs_treatment"] = needs
