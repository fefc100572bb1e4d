"""The consultation form: it parses what the clinician typed; the contract validator judges it.

Each field's kind and choices come from the engine's vocabulary (options/rules/vocab.py), and
the fields are built from it in its order by `assessment_form_class`, `lesion_form_class` and
`prior_treatment_form_class`; only labels, hints and placement on the page are written here.
Whether an answer is required, in range or applies to this patient is decided by
options.validation, whose error paths `errors_for_form` maps back onto the fields.
"""

from collections.abc import Sequence
from types import ModuleType

from django import forms

from .. import vocab
from ..choices import choices, field_name

YES_NO = [("yes", "Yes"), ("no", "No")]
UNKNOWN = "unknown"
NOT_KNOWN = (UNKNOWN, "Not known")
# An imaging report that does not mention a finding: it stays unknown, never guessed.
NOT_REPORTED = (UNKNOWN, "Not reported")
BOOLEANS = {"yes": True, "no": False}
# A vocabulary fact's kind: ("enum", values), ("bool",), ("number", low, high), ("int", low, high).
Kind = tuple[object, ...]
Choice = tuple[str, str]

# A question shown only for one cancer type (the validator rejects the others); treatment
# intent is asked only for primary bone cancer, though the contract accepts it for any.
CANCER_QUESTIONS = {**vocab.PATIENT_FIELD_CANCERS, "treatment_intent": "primary_bone"}
LIST_STATUS = {
    "lesions": [("none", "No lesion is being considered for a procedure"),
                ("unknown", "Not known yet")],
    "prior_treatments": [("none", "None so far"), ("unknown", "Not known")],
}
LESION_HINTS = {
    "level": "Spinal and sacral lesions",
    "collapse": "Spinal lesions (SINS)",
    "pain": "Mechanical: worse on movement or loading",
    "cortical_involvement": "Long bones: how much of the cortex the lesion takes up",
}
MAX_ROWS = {"lesions": vocab.MAX_LESIONS, "prior_treatments": vocab.MAX_PRIOR_TREATMENTS}
PREFIXES = {"lesions": "lesions", "prior_treatments": "prior"}


def _choice(values: tuple[str, ...] | Sequence[Choice], *, label: str, radio: bool = True,
            blank: str = "Select", unknown: Choice | None = None) -> forms.ChoiceField:
    widget = forms.RadioSelect if radio else forms.Select
    options = choices(values) if isinstance(values, tuple) else values
    options = [*options, unknown] if unknown else options
    if not radio:
        options = [("", blank), *options]
    return forms.ChoiceField(label=label, choices=options, required=False, widget=widget)


class YesNoField(forms.ChoiceField):
    """A yes / no (/ not known) question; only yes and no reach the contract."""

    def __init__(self, *, label: str, unknown: Choice | None = NOT_KNOWN) -> None:
        super().__init__(label=label, required=False, widget=forms.RadioSelect,
                         choices=[*YES_NO, unknown] if unknown else YES_NO)


def _tri_state(label: str, *, unknown: Choice | None = NOT_KNOWN) -> YesNoField:
    return YesNoField(label=label, unknown=unknown)


class DecimalCommaFloatField(forms.FloatField):
    """A number that also accepts a decimal comma (2,35 is 2.35), as many people type it."""

    def to_python(self, value: object) -> float | None:
        """Read one decimal comma as a point; a comma beside a point stays invalid."""
        if isinstance(value, str) and value.count(",") == 1 and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


def _number(label: str, *, integral: bool = False, help_text: str = "") -> forms.IntegerField:
    field_class = forms.IntegerField if integral else DecimalCommaFloatField
    kind = "a whole number" if integral else "a number"
    return field_class(label=label, required=False, localize=False, help_text=help_text,
                       widget=forms.TextInput(attrs={
                           "inputmode": "numeric" if integral else "decimal"}),
                       error_messages={"invalid": f"{label} must be {kind}"})


def _to_contract(field: forms.Field, value: object) -> bool | int | float | str | None:
    if value in (None, "", UNKNOWN):
        return None
    if isinstance(field, YesNoField):
        return BOOLEANS.get(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# The questions as people read them; a fact without one is named as options.choices names a
# missing input (FIELD_NAMES).
LABELS = {
    "patient_ref": "Patient reference",
    "age_years": "Age in years",
    "sex": "Sex",
    "cancer_type": "Primary cancer",
    "prostate_hormone_status": "Hormone status of the prostate cancer",
    "myeloma_needs_treatment": "Does the myeloma need treatment?",
    "treatment_intent": "Intent of treatment",
    "bone_metastases": "Are bone metastases (or myeloma bone disease) confirmed?",
    "mscc_signs": "Are there symptoms or signs of spinal cord compression?",
    "creatinine_clearance_ml_min": "Creatinine clearance (mL/min)",
    "weight_kg": "Weight (kg)",
    "serum_creatinine_umol_l": "Serum creatinine (micromol/L)",
    "corrected_calcium_mmol_l": "Corrected calcium (mmol/L)",
    "dental_assessment_done": "Dental check done?",
    "unhealed_oral_lesion": "Unhealed dental or oral surgery wound?",
    "uncorrectable_coagulopathy": "Coagulopathy that cannot be corrected?",
    "active_infection": "Active infection (systemic, or at the target site)?",
    "cement_allergy": "Allergy to bone cement or contrast?",
    "pregnant": "If female: pregnant?",
    "site": "Site",
    "level": "Vertebral level",
    "lesion_type": "Lesion type",
    "pain": "Pain",
    "collapse": "Vertebral body collapse",
    "alignment": "Spinal alignment",
    "posterolateral": "Posterolateral involvement",
    "retropulsion": "Retropulsed fragment or epidural tumour?",
    "cortical_involvement": "Cortical involvement (Mirels size)",
    "fracture": "Pathological fracture present?",
    "treatment": "Treatment",
    "response": "Response",
    "weeks_ago": "Weeks ago",
}
# Hints shown under a number, with its range from the vocabulary.
RANGE_HINTS = {"age_years": "Optional. Adults only ({low} to {high})."}
# Patient choices that offer "Not known" (the others are left unanswered when not known).
NOT_KNOWN_CHOICES = ("prostate_hormone_status",)
# Lesion yes/no findings read from an imaging report: one not mentioned is "Not reported".
REPORTED_FINDINGS = ("retropulsion",)
# Placement on the page: the questions about the patient and the cancer, then the lists, then
# kidney function and the safety section (the vocabulary's safety fields, in its order).
ABOUT_PATIENT = ("patient_ref", "age_years", "sex", "cancer_type", "prostate_hormone_status",
                 "myeloma_needs_treatment", "treatment_intent", "bone_metastases", "mscc_signs")
KIDNEY_FIELDS = ("creatinine_clearance_ml_min", "weight_kg", "serum_creatinine_umol_l")
SAFETY_SECTION = (*KIDNEY_FIELDS, *(n for n in vocab.SAFETY_FIELDS if n not in KIDNEY_FIELDS))
FORM_ONLY = ("lesions_status", "prior_treatments_status", "copied_from")


def _label(name: str) -> str:
    return LABELS.get(name) or field_name(name)


def fact_field(name: str, kind: Kind, *, radio: bool = True,
               unknown: Choice | None = NOT_KNOWN) -> forms.Field:
    """Return the form field for one vocabulary fact (enum, bool, int or number)."""
    if kind[0] == "enum":
        return _choice(kind[1], label=_label(name), radio=radio, unknown=unknown)
    if kind[0] == "bool":
        return _tri_state(_label(name), unknown=unknown or NOT_KNOWN)
    hint = RANGE_HINTS.get(name, "").format(low=kind[1], high=kind[2])
    return _number(_label(name), integral=kind[0] == "int", help_text=hint)


def _patient_field(name: str, kind: Kind) -> forms.Field:
    unknown = NOT_KNOWN if name in NOT_KNOWN_CHOICES or kind[0] == "bool" else None
    return fact_field(name, kind, unknown=unknown)


def assessment_form_fields(v: ModuleType = vocab) -> dict[str, forms.Field]:
    """Return the patient-level fields, in page order, built from a vocabulary's facts."""
    placed = [*ABOUT_PATIENT, *SAFETY_SECTION]
    facts = dict(v.PATIENT_FACTS)
    order = [*ABOUT_PATIENT, *(n for n in facts if n not in placed), *SAFETY_SECTION]
    fields = {"patient_ref": forms.CharField(label=_label("patient_ref"), max_length=64,
                                             required=False)}
    fields |= {name: _patient_field(name, facts[name]) for name in order if name in facts}
    fields["lesions_status"] = _choice(LIST_STATUS["lesions"],
                                       label="Is a bone lesion being considered?")
    fields["prior_treatments_status"] = _choice(LIST_STATUS["prior_treatments"],
                                                label="Pain and bone treatments so far")
    fields["copied_from"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
    return fields


class _AssessmentFormBase(forms.Form):
    """The patient-level answers of one consultation."""

    KIDNEY_FIELDS = KIDNEY_FIELDS
    # The yes/no safety questions asked together (pregnancy is asked apart: not for a man).
    SAFETY_QUESTIONS = tuple(n for n in vocab.SAFETY_FIELDS if vocab.PATIENT_FACTS[n] == (
        "bool",) and n not in vocab.PATIENT_FIELD_NOT_FOR_SEX)
    SAFETY_FIELDS = SAFETY_SECTION
    FORM_ONLY = FORM_ONLY

    def contract(self) -> dict[str, object]:
        """Return the answers that apply, as contract values; unknowns are left out."""
        values = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        cancer = values.get("cancer_type") or None
        data = {}
        for name, field in self.fields.items():
            if name in self.FORM_ONLY:
                continue
            if name in CANCER_QUESTIONS and cancer != CANCER_QUESTIONS[name]:
                continue
            value = _to_contract(field, values.get(name))
            if value is not None:
                data[name] = value.strip() if isinstance(value, str) else value
        return {name: value for name, value in data.items() if value != ""}


def assessment_form_class(v: ModuleType = vocab) -> type[_AssessmentFormBase]:
    """Build the assessment form from a vocabulary (the engine's, unless another given)."""
    return type("AssessmentForm", (_AssessmentFormBase,),
                {"__module__": __name__, **assessment_form_fields(v)})


AssessmentForm = assessment_form_class()


def _lesion_field(name: str, kind: Kind, required_somewhere: bool) -> forms.Field:
    if kind[0] == "bool":
        return fact_field(name, kind, unknown=NOT_REPORTED if name in REPORTED_FINDINGS
                          else NOT_KNOWN)
    return fact_field(name, kind, radio=False,
                      unknown=None if required_somewhere else NOT_REPORTED)


class _LesionFormBase(forms.Form):
    """One bone lesion; the findings shown depend on its site."""

    def site_value(self) -> str | None:
        """Return the chosen site, or None."""
        value = self.data.get(self.add_prefix("site"), "")
        return value if value in vocab.SITES else None

    def applies(self, name: str) -> bool:
        """Tell whether a finding applies to this lesion's site (any, if none chosen yet)."""
        site = self.site_value()
        return site is None or site in vocab.LESION_FIELD_SITES[name]

    def contract(self) -> dict[str, object] | None:
        """Return the findings that apply to the site, or None for an empty row."""
        values = getattr(self, "cleaned_data", {})
        site = values.get("site") or None
        data = {}
        for name, field in self.fields.items():
            value = _to_contract(field, values.get(name))
            if value is None or (site and site not in vocab.LESION_FIELD_SITES[name]):
                continue
            data[name] = value
        return data or None


def lesion_form_class(v: ModuleType = vocab) -> type[_LesionFormBase]:
    """Build the lesion form: the entered findings of a vocabulary, in its order."""
    required = {name for names in v.REQUIRED_LESION_FIELDS.values() for name in names}
    fields = {name: _lesion_field(name, v.LESION_FACTS[name], name in required)
              for name in v.LESION_FIELDS_ENTERED}
    return type("LesionForm", (_LesionFormBase,), {"__module__": __name__, **fields})


LesionForm = lesion_form_class()


class _PriorTreatmentFormBase(forms.Form):
    """One pain or bone treatment the patient has had."""

    def contract(self) -> dict[str, object] | None:
        """Return the treatment as contract values, or None for an empty row."""
        values = getattr(self, "cleaned_data", {})
        data = {name: _to_contract(field, values.get(name))
                for name, field in self.fields.items()}
        data = {name: value for name, value in data.items() if value is not None}
        return data or None


def prior_treatment_form_class(v: ModuleType = vocab) -> type[_PriorTreatmentFormBase]:
    """Build the prior-treatment form from a vocabulary's facts, in its order."""
    fields = {name: fact_field(name, kind, radio=False, unknown=None)
              for name, kind in v.PRIOR_FACTS.items()}
    return type("PriorTreatmentForm", (_PriorTreatmentFormBase,),
                {"__module__": __name__, **fields})


PriorTreatmentForm = prior_treatment_form_class()


LesionFormSet = forms.formset_factory(LesionForm, extra=0, max_num=MAX_ROWS["lesions"],
                                      absolute_max=MAX_ROWS["lesions"] + 1)
PriorTreatmentFormSet = forms.formset_factory(
    PriorTreatmentForm, extra=0, max_num=MAX_ROWS["prior_treatments"],
    absolute_max=MAX_ROWS["prior_treatments"] + 1)
FORMSETS = {"lesions": (LesionFormSet, LesionForm), "prior_treatments": (
    PriorTreatmentFormSet, PriorTreatmentForm)}
