"""The assessment as frozen dataclasses; None always means unknown, never false."""

from dataclasses import dataclass, fields

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
    def is_spinal(self):
        return self.site == "spine"

    @property
    def is_long_bone(self):
        return self.site in LONG_BONE_SITES

    @property
    def sins(self):
        if not self.is_spinal or None in (
            self.level, self.collapse, self.alignment, self.posterolateral
        ):
            return None
        return scores.sins(
            level=self.level,
            pain=self.pain,
            lesion_type=self.lesion_type,
            alignment=self.alignment,
            collapse=self.collapse,
            posterolateral=self.posterolateral,
        )

    @property
    def mirels(self):
        if not self.is_long_bone or self.cortical_involvement is None:
            return None
        return scores.mirels(
            site=self.site,
            pain=self.pain,
            lesion_type=self.lesion_type,
            cortical_involvement=self.cortical_involvement,
        )


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
    prostate_hormone_status: str | None = None
    myeloma_needs_treatment: bool | None = None
    treatment_intent: str | None = None
    mscc_signs: bool | None = None
    lesions: tuple[Lesion, ...] | None = None
    prior_treatments: tuple[PriorTreatment, ...] | None = None
    creatinine_clearance_ml_min: float | None = None
    corrected_calcium_mmol_l: float | None = None
    dental_assessment_done: bool | None = None
    unhealed_oral_lesion: bool | None = None
    uncorrectable_coagulopathy: bool | None = None
    active_infection: bool | None = None
    cement_allergy: bool | None = None
    pregnant: bool | None = None

    @classmethod
    def from_contract(cls, data):
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


def lesion_facts(lesion):
    """Return the facts a rule may ask of one lesion, findings and scores together."""
    site = lesion.site
    facts = dict.fromkeys(_NOT_APPLICABLE_BY_SITE[site], NOT_APPLICABLE)
    for name in _FINDINGS_BY_SITE[site]:
        facts[name] = getattr(lesion, name)
    if site == "spine":
        score = lesion.sins
        facts["sins"] = score
        facts["sins_band"] = None if score is None else scores.sins_band(score)
    elif site in LONG_BONE_SITES:
        score = lesion.mirels
        facts["mirels"] = score
        facts["mirels_band"] = None if score is None else scores.mirels_band(score)
    return facts


def prior_facts(prior):
    """Return the facts a rule may ask of one prior treatment."""
    return {
        "treatment": prior.treatment,
        "response": prior.response,
        "weeks_ago": prior.weeks_ago,
    }
