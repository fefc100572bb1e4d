"""The consultation form: it parses what the clinician typed; the contract validator judges it.

These forms only know what HTML needs (choices and types). Whether an answer is required,
in range or applies to this patient is decided by options.validation, whose error paths
`errors_for_form` maps back onto the fields.
"""

from django import forms

from . import vocab
from .choices import choices
from .validation import CANCER_SPECIFIC

YES_NO = [("yes", "Yes"), ("no", "No")]
UNKNOWN = "unknown"
NOT_KNOWN = (UNKNOWN, "Not known")
# An imaging report that does not mention a finding: it stays unknown, never guessed.
NOT_REPORTED = (UNKNOWN, "Not reported")
BOOLEANS = {"yes": True, "no": False}

# A question shown only for one cancer type (the validator rejects the others).
CANCER_QUESTIONS = {**CANCER_SPECIFIC, "treatment_intent": "primary_bone"}
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
MAX_ROWS = {"lesions": 20, "prior_treatments": 30}
PREFIXES = {"lesions": "lesions", "prior_treatments": "prior"}


def _choice(values, *, label, radio=True, blank="Select", unknown=None):
    widget = forms.RadioSelect if radio else forms.Select
    options = choices(values) if isinstance(values, tuple) else values
    options = [*options, unknown] if unknown else options
    if not radio:
        options = [("", blank), *options]
    return forms.ChoiceField(label=label, choices=options, required=False, widget=widget)


class YesNoField(forms.ChoiceField):
    """A yes / no (/ not known) question; only yes and no reach the contract."""

    def __init__(self, *, label, unknown=NOT_KNOWN):
        super().__init__(label=label, required=False, widget=forms.RadioSelect,
                         choices=[*YES_NO, unknown] if unknown else YES_NO)


def _tri_state(label, *, unknown=NOT_KNOWN):
    return YesNoField(label=label, unknown=unknown)


class DecimalCommaFloatField(forms.FloatField):
    """A number that also accepts a decimal comma (2,35 is 2.35), as many people type it."""

    def to_python(self, value):
        """Read one decimal comma as a point; a comma beside a point stays invalid."""
        if isinstance(value, str) and value.count(",") == 1 and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


def _number(label, *, integral=False):
    field_class = forms.IntegerField if integral else DecimalCommaFloatField
    kind = "a whole number" if integral else "a number"
    return field_class(label=label, required=False, localize=False,
                       widget=forms.TextInput(attrs={
                           "inputmode": "numeric" if integral else "decimal"}),
                       error_messages={"invalid": f"{label} must be {kind}"})


def _to_contract(field, value):
    if value in (None, "", UNKNOWN):
        return None
    if isinstance(field, YesNoField):
        return BOOLEANS.get(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class AssessmentForm(forms.Form):
    """The patient-level answers of one consultation."""

    patient_ref = forms.CharField(label="Patient reference", max_length=64, required=False)
    age_years = _number("Age in years", integral=True)
    sex = _choice(vocab.SEXES, label="Sex")
    cancer_type = _choice(vocab.CANCER_TYPES, label="Primary cancer")
    prostate_hormone_status = _choice(vocab.PROSTATE_HORMONE_STATUSES,
                                      label="Hormone status of the prostate cancer",
                                      unknown=NOT_KNOWN)
    myeloma_needs_treatment = _tri_state("Does the myeloma need treatment?")
    treatment_intent = _choice(vocab.TREATMENT_INTENTS, label="Intent of treatment")
    bone_metastases = _tri_state("Are bone metastases (or myeloma bone disease) confirmed?")
    mscc_signs = _tri_state("Are there symptoms or signs of spinal cord compression?")
    lesions_status = _choice(LIST_STATUS["lesions"], label="Is a bone lesion being considered?")
    prior_treatments_status = _choice(LIST_STATUS["prior_treatments"],
                                      label="Pain and bone treatments so far")
    creatinine_clearance_ml_min = _number("Creatinine clearance (mL/min)")
    weight_kg = _number("Weight (kg)")
    serum_creatinine_umol_l = _number("Serum creatinine (micromol/L)")
    corrected_calcium_mmol_l = _number("Corrected calcium (mmol/L)")
    dental_assessment_done = _tri_state("Dental check done?")
    unhealed_oral_lesion = _tri_state("Unhealed dental or oral surgery wound?")
    uncorrectable_coagulopathy = _tri_state("Coagulopathy that cannot be corrected?")
    active_infection = _tri_state("Active infection (systemic, or at the target site)?")
    cement_allergy = _tri_state("Allergy to bone cement or contrast?")
    pregnant = _tri_state("Pregnant?")
    copied_from = forms.IntegerField(required=False, widget=forms.HiddenInput)

    KIDNEY_FIELDS = ("creatinine_clearance_ml_min", "weight_kg", "serum_creatinine_umol_l")
    SAFETY_QUESTIONS = ("dental_assessment_done", "unhealed_oral_lesion",
                        "uncorrectable_coagulopathy", "active_infection", "cement_allergy")
    SAFETY_FIELDS = (*KIDNEY_FIELDS, "corrected_calcium_mmol_l", *SAFETY_QUESTIONS, "pregnant")
    FORM_ONLY = ("lesions_status", "prior_treatments_status", "copied_from")

    def contract(self):
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


class LesionForm(forms.Form):
    """One bone lesion; the findings shown depend on its site."""

    site = _choice(vocab.SITES, label="Site", radio=False)
    level = _choice(vocab.SPINE_LEVELS, label="Vertebral level", radio=False)
    lesion_type = _choice(vocab.LESION_TYPES, label="Lesion type", radio=False)
    pain = _choice(vocab.PAINS, label="Pain", radio=False)
    collapse = _choice(vocab.COLLAPSES, label="Vertebral body collapse", radio=False,
                       unknown=NOT_REPORTED)
    alignment = _choice(vocab.ALIGNMENTS, label="Spinal alignment", radio=False,
                        unknown=NOT_REPORTED)
    posterolateral = _choice(vocab.POSTEROLATERALS, label="Posterolateral involvement",
                             radio=False, unknown=NOT_REPORTED)
    retropulsion = _tri_state("Retropulsed fragment or epidural tumour?",
                              unknown=NOT_REPORTED)
    cortical_involvement = _choice(vocab.CORTICAL_INVOLVEMENTS,
                                   label="Cortical involvement (Mirels size)", radio=False,
                                   unknown=NOT_REPORTED)
    fracture = _tri_state("Pathological fracture present?")

    def site_value(self):
        """Return the chosen site, or None."""
        value = self.data.get(self.add_prefix("site"), "")
        return value if value in vocab.SITES else None

    def applies(self, name):
        """Tell whether a finding applies to this lesion's site (any, if none chosen yet)."""
        site = self.site_value()
        return site is None or site in vocab.LESION_FIELD_SITES[name]

    def contract(self):
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


class PriorTreatmentForm(forms.Form):
    """One pain or bone treatment the patient has had."""

    treatment = _choice(vocab.TREATMENTS, label="Treatment", radio=False)
    response = _choice(vocab.RESPONSES, label="Response", radio=False)
    weeks_ago = _number("Weeks ago", integral=True)

    def contract(self):
        """Return the treatment as contract values, or None for an empty row."""
        values = getattr(self, "cleaned_data", {})
        data = {name: _to_contract(field, values.get(name))
                for name, field in self.fields.items()}
        data = {name: value for name, value in data.items() if value is not None}
        return data or None


LesionFormSet = forms.formset_factory(LesionForm, extra=0, max_num=MAX_ROWS["lesions"],
                                      absolute_max=MAX_ROWS["lesions"] + 1)
PriorTreatmentFormSet = forms.formset_factory(
    PriorTreatmentForm, extra=0, max_num=MAX_ROWS["prior_treatments"],
    absolute_max=MAX_ROWS["prior_treatments"] + 1)
FORMSETS = {"lesions": (LesionFormSet, LesionForm), "prior_treatments": (
    PriorTreatmentFormSet, PriorTreatmentForm)}
