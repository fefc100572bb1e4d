"""FHIR resources for mapping tests, as an EHR would send them."""

from options.cds_hooks.fhir import resources_of

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
RECENT = "2026-11-20T09:00:00Z"


def concept(system, code, display=None):
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def condition(system, code, *, ident="c", clinical="active", verification="confirmed",
              evidence=None):
    resource = {"resourceType": "Condition", "id": ident,
                "subject": {"reference": "Patient/p"}, "code": concept(system, code)}
    if clinical:
        resource["clinicalStatus"] = concept(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", clinical)
    if verification:
        resource["verificationStatus"] = concept(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", verification)
    if evidence:
        resource["evidence"] = [{"detail": [{"reference": ref} for ref in evidence]}]
    return resource


def observation(system, code, value=None, unit=None, *, when=RECENT, answer=None,
                status="final"):
    resource = {"resourceType": "Observation", "id": f"o-{code}", "status": status,
                "subject": {"reference": "Patient/p"}, "code": concept(system, code)}
    if when:
        resource["effectiveDateTime"] = when
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": unit,
                                     "system": "http://unitsofmeasure.org", "code": unit}
    if answer is not None:
        resource["valueCodeableConcept"] = concept(*answer)
    return resource


def allergy(system, code, *, verification=None, clinical=None):
    resource = {"resourceType": "AllergyIntolerance", "id": f"a-{code}",
                "patient": {"reference": "Patient/p"}, "code": concept(system, code)}
    if verification:
        resource["verificationStatus"] = concept(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            verification)
    if clinical:
        resource["clinicalStatus"] = concept(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", clinical)
    return resource


def bundle(*resources):
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"resource": r} for r in resources]}


BREAST = condition(SNOMED, "254837009", ident="breast")
BONE = condition(SNOMED, "94222008", ident="bone")


def prefetch(*, patient=None, conditions=(BREAST, BONE), observations=(), allergies=()):
    """Return a parsed prefetch (key -> resources) as the service sees it."""
    raw = {"patient": patient or {"resourceType": "Patient", "id": "p"},
           "conditions": bundle(*conditions), "observations": bundle(*observations),
           "allergies": bundle(*allergies), "medications": bundle(), "procedures": bundle()}
    return {key: resources_of(value, key) for key, value in raw.items()}
