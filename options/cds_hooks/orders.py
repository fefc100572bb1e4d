"""Which draft orders are bone-strengthening options. No Django.

A MedicationRequest for a bisphosphonate or denosumab 120 mg (denosumab 60 mg treats
osteoporosis: a different indication, no card), or a ServiceRequest for cementoplasty,
vertebroplasty or kyphoplasty, by the code lists or, failing them, the order's text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from fhir_core.fhirabstractmodel import FHIRAbstractModel

from guidance.codes import CodeLists

if TYPE_CHECKING:  # hints only: FHIR's models load when a request names them, not at start-up
    from fhir.resources.R4B.codeableconcept import CodeableConcept
    from fhir.resources.R4B.coding import Coding
    from fhir.resources.R4B.medicationrequest import MedicationRequest
    from fhir.resources.R4B.servicerequest import ServiceRequest

PROCEDURE_WORDS = (("kyphoplasty", "kyphoplasty"), ("vertebroplasty", "vertebroplasty"),
                   ("cementoplasty", "cementoplasty"))
OSTEOPOROSIS_DOSE_MG = 60
_SIXTY_MG = re.compile(r"\b60\s*mg\b", re.I)


def _codings(concept: CodeableConcept | None) -> list[Coding]:
    return list(concept.coding or []) if concept is not None else []


def _text(concept: CodeableConcept | None) -> str:
    if concept is None:
        return ""
    return " ".join([concept.text or "", *[c.display or "" for c in _codings(concept)]])


def _coded(concept: CodeableConcept | None, code_list: str, codes: CodeLists) -> str | None:
    for coding in _codings(concept):
        entry = codes.match(code_list, coding.system, coding.code)
        if entry is not None:
            return entry.value
    return None


def _dose_mg(request: MedicationRequest) -> float | None:
    for dosage in request.dosageInstruction or []:
        for rate in dosage.doseAndRate or []:
            quantity = rate.doseQuantity
            if quantity is not None and quantity.value is not None and (
                    (quantity.code or quantity.unit or "").lower() == "mg"):
                return float(quantity.value)
    return None


def _medication_option(request: MedicationRequest, codes: CodeLists) -> str | None:
    concept = request.medicationCodeableConcept
    option = _coded(concept, "bone_drug", codes)
    if option != "denosumab":
        return option
    dose = _dose_mg(request)
    if dose == OSTEOPOROSIS_DOSE_MG or (dose is None and _SIXTY_MG.search(_text(concept))):
        return None  # osteoporosis, not cancer in bone
    return option


def _service_option(request: ServiceRequest, codes: CodeLists) -> str | None:
    option = _coded(request.code, "procedure_order", codes)
    if option is not None:
        return option
    text = _text(request.code).lower()
    return next((option for word, option in PROCEDURE_WORDS if word in text), None)


def bone_orders(orders: Iterable[FHIRAbstractModel], *, selections: Collection[str] | None,
                codes: CodeLists) -> list[tuple[FHIRAbstractModel, str]]:
    """Return [(order, option)] for the draft orders that are bone-strengthening options.

    With `selections` (order-select), only the selected orders ("Type/id") count.
    """
    found = []
    for order in orders:
        kind = order.get_resource_type()
        if selections is not None and f"{kind}/{order.id}" not in selections:
            continue
        if kind == "MedicationRequest":
            option = _medication_option(order, codes)
        elif kind == "ServiceRequest":
            option = _service_option(order, codes)
        else:
            option = None
        if option is not None:
            found.append((order, option))
    return found
