"""Django choices built from options.vocab, labelled for people."""

_LABELS = {
    "other_solid": "Other solid tumour",
    "primary_bone": "Primary bone cancer",
    "other_haematological": "Other haematological cancer (lymphoma, leukaemia)",
    "none": "None",
    "involvement_over_50": "No collapse, over 50% of body involved",
    "under_50": "Collapse under 50%",
    "over_50": "Collapse over 50%",
    "under_third": "Under one third",
    "third_to_two_thirds": "One third to two thirds",
    "over_two_thirds": "Over two thirds",
    "kyphoplasty": "Balloon kyphoplasty",
    "cds_hooks": "CDS Hooks",
    "cli": "Command line",
    "api": "API",
    "result_page": "Result page",
    "mdt_disagrees": "MDT disagrees",
    "patient_choice": "Patient's choice",
    "clinical_judgement": "Clinical judgement for this patient",
    "other_condition": "Another condition or medicine",
    "contraindication_not_assessed": "A contraindication the assessment does not ask about",
    "not_available": "Not available locally or in time",
    "evidence_moved_on": "Evidence or practice has moved on from the guidance",
    "mdt_decision": "Multidisciplinary team decision",
    "other_reason": "Other reason (see comment)",
}


def label(value):
    """Return the human label for a vocabulary value."""
    return _LABELS.get(value, value.replace("_", " ").capitalize())


def choices(values):
    """Build Django choices from a vocabulary tuple."""
    return [(value, label(value)) for value in values]
