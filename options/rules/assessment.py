"""The assessment as frozen dataclasses; None always means unknown, never false."""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Self

from . import scores
from .vocab import LESION_FIELD_SITES, LONG_BONE_SITES, SITES


@dataclass(frozen=True, slots=True)
class Lesion:
    """One bone lesion and its findings; SINS or Mirels is derived, never entered."""

    site: str
    lesion_type: str
    pain: str
    level: str | None = None
    collapse: str | None = None
    alignment: str | None = None
    posterolateral: str | None = None
    retropulsion: bool | None = None
    cortical_involvement: str | None = None
    fracture: bool | None = None

    @property
    def is_spinal(self) -> bool:
        return self.site == "spine"

    @property
    def is_long_bone(self) -> bool:
        return self.site in LONG_BONE_SITES

    def score(self) -> "Score | None":
        """Return this lesion's SINS or Mirels as a Score, or None for other sites."""
        if self.is_spinal:
            return Score.of("sins", scores.SINS_COMPONENTS, self)
        if self.is_long_bone:
            return Score.of("mirels", scores.MIRELS_COMPONENTS, self)
        return None

    @property
    def sins(self) -> int | None:
        """The SINS total when every finding is known, else None."""
        score = self.score() if self.is_spinal else None
        return score.total if score else None

    @property
    def mirels(self) -> int | None:
        """The Mirels total when every finding is known, else None."""
        score = self.score() if self.is_long_bone else None
        return score.total if score else None


@dataclass(frozen=True, slots=True)
class Score:
    """One lesion's SINS or Mirels: points by component, and every total still possible."""

    kind: str
    known: dict
    unknown: dict  # component -> the points its unknown finding could give
    totals: tuple
    findings: tuple  # the unknown findings' names, e.g. ("collapse",)

    @classmethod
    def of(cls, kind: str, components: scores.Components, lesion: Lesion) -> Self:
        known, unknown = scores.points(components, {
            finding: getattr(lesion, finding) for finding, _ in components.values()})
        return cls(kind, known, unknown, scores.possible_totals(known, unknown),
                   tuple(components[c][0] for c in unknown))

    @property
    def total(self) -> int | None:
        return self.totals[0] if len(self.totals) == 1 else None

    def band(self, total: int) -> str:
        return scores.sins_band(total) if self.kind == "sins" else scores.mirels_band(total)

    def as_result(self, index: int) -> dict[str, object]:
        """Return the contract's `scores` entry for the lesion at `index`."""
        kind = self.kind
        entry = {"lesion": index, kind: self.total}
        if self.unknown:
            entry[f"{kind}_range"] = [self.totals[0], self.totals[-1]]
        bands = {self.band(t) for t in (self.totals[0], self.totals[-1])}
        if len(bands) == 1:
            entry[f"{kind}_band"] = bands.pop()
        entry["points"] = {component: self.known[component] if component in self.known
                           else [min(self.unknown[component]), max(self.unknown[component])]
                           for component in _COMPONENTS[kind]}
        return entry


_COMPONENTS = {"sins": scores.SINS_COMPONENTS, "mirels": scores.MIRELS_COMPONENTS}


class Possible:
    """A fact not known exactly: the values it may take and the inputs that would settle it."""

    __slots__ = ("values", "missing")

    def __init__(self, values, missing):
        self.values = frozenset(values)
        self.missing = missing


@dataclass(frozen=True, slots=True)
class PriorTreatment:
    """One earlier pain or bone treatment and how well it worked."""

    treatment: str
    response: str
    weeks_ago: int | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """One patient's assessment, as the contract names it."""

    cancer_type: str
    bone_metastases: bool | None = None
    patient_ref: str | None = None
    age_years: int | None = None
    sex: str | None = None
    prostate_hormone_status: str | None = None
    myeloma_needs_treatment: bool | None = None
    treatment_intent: str | None = None
    mscc_signs: bool | None = None
    lesions: tuple[Lesion, ...] | None = None
    prior_treatments: tuple[PriorTreatment, ...] | None = None
    creatinine_clearance_ml_min: float | None = None
    serum_creatinine_umol_l: float | None = None
    weight_kg: float | None = None
    corrected_calcium_mmol_l: float | None = None
    dental_assessment_done: bool | None = None
    unhealed_oral_lesion: bool | None = None
    uncorrectable_coagulopathy: bool | None = None
    active_infection: bool | None = None
    cement_allergy: bool | None = None
    pregnant: bool | None = None

    @classmethod
    def from_contract(cls, data: Mapping[str, object]) -> Self:
        """Build from a contract dict that has already passed validation."""
        values = dict(data)
        if values.get("lesions") is not None:
            values["lesions"] = tuple(Lesion(**lesion) for lesion in values["lesions"])
        if values.get("prior_treatments") is not None:
            values["prior_treatments"] = tuple(
                PriorTreatment(**prior) for prior in values["prior_treatments"]
            )
        return cls(**values)


PATIENT_FIELD_NAMES = tuple(
    f.name for f in fields(Assessment) if f.name not in ("lesions", "prior_treatments")
)

# A finding that does not apply to a lesion's site: a rule asking about it is false there.
NOT_APPLICABLE = object()


_SCORE_FACTS = ("sins", "sins_band", "mirels", "mirels_band")
_FINDINGS_BY_SITE = {
    site: tuple(n for n, s in LESION_FIELD_SITES.items() if site in s and n not in _SCORE_FACTS)
    for site in SITES
}
_NOT_APPLICABLE_BY_SITE = {
    site: tuple(n for n, s in LESION_FIELD_SITES.items() if site not in s) for site in SITES
}


def lesion_facts(index: int, lesion: Lesion, score: Score | None) -> dict[str, object]:
    """Return the facts a rule may ask of one lesion, findings and its score together.

    A score with unknown findings is a Possible over its totals (and bands), so a threshold
    decides only when every possible total falls on one side of it.
    """
    site = lesion.site
    facts = dict.fromkeys(_NOT_APPLICABLE_BY_SITE[site], NOT_APPLICABLE)
    for name in _FINDINGS_BY_SITE[site]:
        facts[name] = getattr(lesion, name)
    if score is not None:
        kind = score.kind
        bands = {score.band(total) for total in score.totals}
        if score.total is not None:
            facts[kind] = score.total
        else:
            missing = tuple(f"lesions[{index}].{finding}" for finding in score.findings)
            facts[kind] = Possible(score.totals, missing)
        facts[f"{kind}_band"] = bands.pop() if len(bands) == 1 else Possible(bands, missing)
    return facts


@lru_cache(maxsize=4096)
def scored_lesion(index: int, lesion: Lesion
                  ) -> tuple[dict[str, object] | None, dict[str, object]]:
    """Return (score entry or None, facts) of the lesion at `index`, kept per process.

    A lesion is a frozen value, so the same findings at the same index give the same
    answers; both are shared between results and read-only, as a rule's reason is.
    """
    score = lesion.score()
    entry = None if score is None else score.as_result(index)
    return entry, lesion_facts(index, lesion, score)


def prior_facts(prior: PriorTreatment) -> dict[str, object]:
    """Return the facts a rule may ask of one prior treatment."""
    return {
        "treatment": prior.treatment,
        "response": prior.response,
        "weeks_ago": prior.weeks_ago,
    }
