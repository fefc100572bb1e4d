"""What the rules may ask of one assessment."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from .assessment import PATIENT_FIELD_NAMES, prior_facts, scored_lesion
from .derive import creatinine_clearance

if TYPE_CHECKING:
    from .assessment import Lesion, PriorTreatment
    from .predicates import Answer

patient_values = attrgetter(*PATIENT_FIELD_NAMES)


class Facts:
    """What the rules may ask of one assessment, with derived facts computed once."""

    __slots__ = ("patient", "derived", "lesions", "scores", "priors", "_defines", "cache",
                 "memo")

    def __init__(self, assessment, defines, blank=()):
        patient = dict(zip(PATIENT_FIELD_NAMES, patient_values(assessment), strict=True))
        self.derived = {}
        if patient["creatinine_clearance_ml_min"] is None:  # else the entered value stands
            clearance, derivation = creatinine_clearance(patient)
            patient["creatinine_clearance_ml_min"] = clearance
            if derivation is not None:
                self.derived["creatinine_clearance_ml_min"] = derivation
        if patient["sex"] == "male":
            patient["pregnant"] = False  # known, never asked (clinical/rules.md)
        self.patient = patient
        self.scores, self.lesions = scored_lesions(assessment.lesions)
        self.priors = prior_list(assessment.prior_treatments)
        self._defines = defines
        self.cache = {}
        self.memo = list(blank)

    def derive(self, name: str) -> Answer:
        """Evaluate a derived fact once per assessment."""
        result = self.cache[name] = self._defines[name].predicate(self, None)
        return result


def prior_list(priors: tuple[PriorTreatment, ...] | None) -> list | None:
    """Return [(index, facts)] of the prior treatments, or None if not given (as Facts)."""
    return None if priors is None else [(i, prior_facts(p)) for i, p in enumerate(priors)]


def scored_lesions(lesions: tuple[Lesion, ...] | None) -> tuple[list, list | None]:
    """Return ([score entry], [(index, facts)]) of the lesions, or ([], None) if not given."""
    if lesions is None:
        return [], None
    entries, indexed = [], []
    for i, lesion in enumerate(lesions):
        entry, facts = scored_lesion(i, lesion)
        if entry is not None:
            entries.append(entry)
        indexed.append((i, facts))
    return entries, indexed
