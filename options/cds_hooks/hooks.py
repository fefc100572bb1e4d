"""The three services BoneCare offers, and what each asks the EHR to prefetch. No Django."""

from collections.abc import Iterable
from dataclasses import dataclass

PATIENT_VIEW = "bonecare-patient-view"
ORDER_SELECT = "bonecare-order-select"
ORDER_SIGN = "bonecare-order-sign"
SERVICE_IDS = (PATIENT_VIEW, ORDER_SELECT, ORDER_SIGN)


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str


SERVICES = {
    PATIENT_VIEW: Service(
        PATIENT_VIEW, "patient-view", "BoneCare: bone-strengthening options",
        "Which of the five bone-strengthening options NICE supports for an adult with cancer "
        "in bone, from the patient's record, with what is still needed."),
    ORDER_SELECT: Service(
        ORDER_SELECT, "order-select", "BoneCare: check a bone-strengthening order",
        "Warns when a selected bisphosphonate, denosumab 120 mg or vertebral augmentation / "
        "cementoplasty order is not recommended or contraindicated by NICE guidance."),
    ORDER_SIGN: Service(
        ORDER_SIGN, "order-sign", "BoneCare: check bone-strengthening orders before signing",
        "Warns when a bisphosphonate, denosumab 120 mg or vertebral augmentation / "
        "cementoplasty order about to be signed is not recommended or contraindicated."),
}

# The prefetch keys every service needs; "observations" adds the codes of the lab rows.
PREFETCH_KEYS = ("patient", "conditions", "observations", "allergies", "medications",
                 "procedures")
PATIENT = "{{context.patientId}}"


def prefetch_templates(observation_codes: Iterable[str]) -> dict[str, str]:
    """Return the prefetch templates; observation_codes are "system|code" strings."""
    return {
        "patient": f"Patient/{PATIENT}",
        "conditions": f"Condition?patient={PATIENT}",
        "observations": f"Observation?patient={PATIENT}&code={','.join(observation_codes)}"
                        "&_sort=-date",
        "allergies": f"AllergyIntolerance?patient={PATIENT}",
        "medications": f"MedicationStatement?patient={PATIENT}",
        "procedures": f"Procedure?patient={PATIENT}",
    }
