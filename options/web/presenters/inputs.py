"""The inputs a stored decision used, as a record for the clinical notes."""

from collections.abc import Mapping

from ... import vocab
from ...choices import label
from ...consultation.models import Consultation, Lesion
from ...consultation.values import METHODS

NOT_KNOWN = "Not known"
# How the record names each yes/no safety answer; which answers those are, and their order,
# is the vocabulary's.
SAFETY_LABELS = {
    "dental_assessment_done": "Dental check done",
    "unhealed_oral_lesion": "Unhealed dental or oral surgery wound",
    "uncorrectable_coagulopathy": "Uncorrectable coagulopathy",
    "active_infection": "Active infection",
    "cement_allergy": "Allergy to bone cement or contrast",
    "pregnant": "Pregnant",
}
SAFETY_QUESTIONS = tuple((name, SAFETY_LABELS.get(name, label(name)))
                         for name in vocab.SAFETY_FIELDS
                         if vocab.PATIENT_FACTS[name] == ("bool",))
FROM_NAMES = {
    "age_years": "age", "sex": "sex", "weight_kg": "weight",
    "serum_creatinine_umol_l": "serum creatinine",
}
LESION_FINDINGS = (
    ("lesion_type", "lesion"), ("pain", "pain"), ("collapse", "collapse"),
    ("alignment", "alignment"), ("posterolateral", "posterolateral"),
    ("retropulsion", "retropulsion"), ("cortical_involvement", "cortical involvement"),
    ("fracture", "fracture"),
)
SPINE_ONLY = {"collapse", "alignment", "posterolateral", "retropulsion"}
LONG_BONES = {"upper_limb", "lower_limb", "peritrochanteric"}


def yes_no(value: bool | None) -> str:
    """Return Yes, No or Not known for a stored three-state answer."""
    return NOT_KNOWN if value is None else ("Yes" if value else "No")


def _text(value: str | None) -> str:
    return label(value) if value else NOT_KNOWN


def _number(value: float | None, unit: str, decimals: int | None = None) -> str:
    if value is None:
        return NOT_KNOWN
    return f"{value:.{decimals}f} {unit}" if decimals is not None else f"{value:g} {unit}"


def cancer_rows(consultation: Consultation) -> list[tuple[str, str]]:
    """Return (label, value) rows for the cancer and the questions that belong to it."""
    c = consultation
    rows = [("Primary cancer", c.get_cancer_type_display())]
    if c.cancer_type != "none":
        rows.append(("Bone metastases or myeloma bone disease", yes_no(c.bone_metastases)))
    if c.cancer_type == "prostate" or c.prostate_hormone_status:
        rows.append(("Hormone status", _text(c.prostate_hormone_status)))
    if c.cancer_type == "myeloma" or c.myeloma_needs_treatment is not None:
        rows.append(("Myeloma needs treatment", yes_no(c.myeloma_needs_treatment)))
    if c.cancer_type == "primary_bone" or c.treatment_intent:
        rows.append(("Intent of treatment", _text(c.treatment_intent)))
    rows.append(("Signs of spinal cord compression", yes_no(c.mscc_signs)))
    return rows


def patient_rows(consultation: Consultation) -> list[tuple[str, str]]:
    """Return (label, value) rows for sex and age."""
    age = consultation.age_years
    return [("Sex", _text(consultation.sex)),
            ("Age", f"{age} years" if age is not None else NOT_KNOWN)]


def clearance_text(consultation: Consultation, result: Mapping[str, object]) -> str:
    """Return creatinine clearance as entered, or as calculated and how, or Not known."""
    derived = (result.get("derived") or {}).get("creatinine_clearance_ml_min")
    if derived:
        method = METHODS.get(derived.get("method"), label(derived.get("method") or ""))
        sources = ", ".join(FROM_NAMES.get(name, label(name).lower())
                            for name in derived.get("from", []))
        return (f"{derived['value']:g} mL/min (calculated, {method}"
                + (f" from {sources})" if sources else ")"))
    value = consultation.creatinine_clearance_ml_min
    return NOT_KNOWN if value is None else f"{value:g} mL/min (entered)"


def lab_rows(consultation: Consultation, result: Mapping[str, object]) -> list[tuple[str, str]]:
    """Return (label, value) rows for renal function, weight and calcium."""
    c = consultation
    return [
        ("Creatinine clearance", clearance_text(c, result)),
        ("Serum creatinine", _number(c.serum_creatinine_umol_l, "µmol/L")),
        ("Weight", _number(c.weight_kg, "kg")),
        ("Corrected calcium", _number(c.corrected_calcium_mmol_l, "mmol/L", decimals=2)),
    ]


def safety_rows(consultation: Consultation) -> list[tuple[str, str]]:
    """Return (label, value) rows for the safety answers; pregnancy is not asked for a man."""
    return [(text, yes_no(getattr(consultation, name))) for name, text in SAFETY_QUESTIONS
            if vocab.PATIENT_FIELD_NOT_FOR_SEX.get(name) != consultation.sex]


def _applies(name: str, site: str) -> bool:
    if name in SPINE_ONLY:
        return site == "spine"
    if name == "cortical_involvement":
        return site in LONG_BONES
    if name == "fracture":
        return site != "spine"
    return True


def lesion_findings(lesion: Lesion) -> str:
    """Return "lytic lesion, mechanical pain, collapse not known, ..." for one stored lesion."""
    parts = []
    for name, noun in LESION_FINDINGS:
        if not _applies(name, lesion.site):
            continue
        value = getattr(lesion, name)
        if value is None or value == "":
            parts.append(f"{noun} not known")
        elif isinstance(value, bool):
            parts.append(f"{noun} {'yes' if value else 'no'}")
        elif name == "collapse":  # its labels name it: "collapse under 50%"
            parts.append("no collapse" if value == "none" else label(value).lower())
        else:
            parts.append(f"{noun} {label(value).lower()}")
    return ", ".join(parts)


def prior_rows(consultation: Consultation) -> list[str]:
    """Return one line per prior treatment, or a single line saying none or not known."""
    if not consultation.prior_treatments_recorded:
        return [NOT_KNOWN]
    rows = [f"{label(p.treatment)}: {label(p.response).lower()}"
            + (f", {p.weeks_ago} weeks ago" if p.weeks_ago is not None else "")
            for p in consultation.prior_treatments.all()]
    return rows or ["None"]
