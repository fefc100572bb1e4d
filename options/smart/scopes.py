"""The SMART v2 scopes BoneCare asks for, and what the scopes an EHR granted allow. No Django.

A read BoneCare needs whose scope was not granted is not made: its fields stay absent and the
form asks for them. Scopes are read in the v2 grammar (`patient/Condition.rs`), with the v1
forms (`patient/Condition.read`, `.write`, `.*`) and the `*` resource understood too.
"""

import re
from collections.abc import Iterable

# The record BoneCare reads (the CDS Hooks prefetch keys) and the resource each needs.
READS = {"patient": "Patient", "conditions": "Condition", "observations": "Observation",
         "allergies": "AllergyIntolerance", "medications": "MedicationStatement",
         "procedures": "Procedure"}
# Each read in words, for a clinician told what BoneCare could not read.
READ_WORDS = {"patient": "the patient details", "conditions": "the problem list",
              "observations": "test results", "allergies": "allergies",
              "medications": "medicines", "procedures": "procedures"}
# What each read needs: a read of the Patient, a search of the rest.
NEEDS = {"patient": "r"}
CONTEXT = ("launch", "openid", "fhirUser")
STANDALONE_CONTEXT = ("launch/patient", "openid", "fhirUser")
RECORD = tuple(f"patient/{kind}.{'r' if key == 'patient' else 'rs'}"
               for key, kind in READS.items())
WRITE_BACK = "patient/DocumentReference.c"
SCOPE = re.compile(r"(patient|user)/([A-Za-z*]+)\.(read|write|\*|c?r?u?d?s?)")
V1 = {"read": "rs", "write": "cud", "*": "cruds"}


def scopes_asked(*, standalone: bool = False) -> str:
    """The scope parameter of the authorisation request."""
    return " ".join((*(STANDALONE_CONTEXT if standalone else CONTEXT), *RECORD, WRITE_BACK))


def _allows(granted: Iterable[str], resource: str, needed: str) -> bool:
    for scope in granted:
        match = SCOPE.fullmatch(scope)
        if match is None or match[1] != "patient" or match[2] not in (resource, "*"):
            continue
        permissions = V1.get(match[3], match[3])
        if set(needed) <= set(permissions):
            return True
    return False


def keys_granted(granted: Iterable[str]) -> list[str]:
    """The record keys whose reads the granted scopes allow."""
    granted = list(granted)
    return [key for key, kind in READS.items() if _allows(granted, kind, NEEDS.get(key, "s"))]


def filing_granted(granted: Iterable[str]) -> bool:
    """Whether the granted scopes allow BoneCare to file a DocumentReference."""
    return _allows(granted, "DocumentReference", "c")
