"""The code lists that say what a FHIR code means for the assessment. No Django.

The lists themselves are data versioned with each ruleset (guidance.CodeListEntry, shipped
defaults in data/code_lists.json, changed by editors in a draft and published with it after a
second person's review); this module says which lists exist, what a value in each may be, and
how a coding is looked up.
"""

from dataclasses import dataclass, field

from options.rules import vocab

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
ATC = "http://www.whocc.no/atc"
DMD = "https://dmd.nhs.uk"
OPCS4 = "https://fhir.nhs.uk/Id/opcs-4"
SYSTEMS = (SNOMED, ICD10, LOINC, ATC, DMD, OPCS4)
# Each system as people name it (the console shows these, with the URI where it is edited).
SYSTEM_NAMES = {SNOMED: "SNOMED CT", ICD10: "ICD-10", LOINC: "LOINC", ATC: "ATC",
                DMD: "dm+d", OPCS4: "OPCS-4"}
# Spellings seen in the wild for the same system.
_ALIASES = {"http://hl7.org/fhir/sid/icd-10-uk": ICD10, "http://dmd.nhs.uk": DMD}
# Codes in these systems also match longer codes they begin (C50 matches C50.9; M05BA
# matches M05BA08), the longest entry winning (C90.0 before C90).
PREFIX_SYSTEMS = (ICD10, ATC, OPCS4)


def system_normal(system):
    """Return the canonical URI of a code system (no trailing slash, ICD-10-UK as ICD-10)."""
    system = (system or "").strip().rstrip("/")
    return _ALIASES.get(system, system)


def _lookup_system(system):
    # dm+d concepts are SNOMED CT identifiers: a dm+d code sent under the SNOMED system is
    # the same code.
    system = system_normal(system)
    return SNOMED if system == DMD else system


@dataclass(frozen=True)
class CodeListSpec:
    label: str
    values: tuple = ()  # what `value` may be; empty: the list only recognises codes


BOOL = ("true", "false")
CODE_LISTS = {
    "cancer_type": CodeListSpec("Condition: primary cancer (value: cancer type)",
                                tuple(c for c in vocab.CANCER_TYPES if c != "none")),
    "bone_metastases": CodeListSpec("Condition: malignant disease in bone", ("true",)),
    "prostate_hormone_status": CodeListSpec("Condition: prostate hormone status",
                                            vocab.PROSTATE_HORMONE_STATUSES),
    "myeloma_needs_treatment": CodeListSpec("Condition: myeloma needing treatment", BOOL),
    "mscc_signs": CodeListSpec("Condition: spinal cord compression", ("true",)),
    "coagulation_disorder": CodeListSpec("Condition: coagulation disorder (context)"),
    "creatinine_clearance": CodeListSpec("Observation: creatinine clearance, mL/min"),
    "egfr": CodeListSpec("Observation: eGFR (context, never a clearance)"),
    "serum_creatinine": CodeListSpec("Observation: serum creatinine"),
    "weight": CodeListSpec("Observation: body weight"),
    "corrected_calcium": CodeListSpec("Observation: corrected calcium"),
    "plain_calcium": CodeListSpec("Observation: calcium, not corrected (context)"),
    "pregnancy_status": CodeListSpec("Observation: pregnancy status (the question)"),
    "pregnancy_value": CodeListSpec("Observation value: pregnancy status answer",
                                    ("true", "false", "unknown")),
    "cement_allergy": CodeListSpec("AllergyIntolerance: bone cement or contrast", BOOL),
    "radiotherapy": CodeListSpec("Procedure: radiotherapy (context)"),
    "analgesic": CodeListSpec("Medication: analgesic (context)"),
    "bone_drug": CodeListSpec("Medication: bone-strengthening drug (value: option)",
                              vocab.MEDICINES),
    "procedure_order": CodeListSpec("ServiceRequest: bone procedure (value: option)",
                                    vocab.PROCEDURES),
}
OBSERVATION_LISTS = ("creatinine_clearance", "egfr", "serum_creatinine", "weight",
                     "corrected_calcium", "plain_calcium", "pregnancy_status")


@dataclass(frozen=True)
class Entry:
    code_list: str
    system: str
    code: str
    value: str = ""
    display: str = ""


@dataclass
class CodeLists:
    """Every active code, indexed for lookup by (system, code), then by list."""

    entries: tuple = ()
    _index: dict = field(default_factory=dict, repr=False)
    _found: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for entry in self.entries:
            key = (_lookup_system(entry.system), entry.code.strip().upper())
            self._index.setdefault(key, {})[entry.code_list] = entry

    def lists_of(self, system, code):
        """Return {list name: entry} for every list a coding is in (the longest prefix of an
        ICD-10, ATC or OPCS-4 code that any list holds, per list)."""
        if not code:
            return {}
        key = (system, code)
        found = self._found.get(key)
        if found is None:
            found = self._lookup(_lookup_system(system), code.strip().upper())
            if len(self._found) < 10_000:  # codings seen, remembered per process
                self._found[key] = found
        return found

    def _lookup(self, system, code):
        found = dict(self._index.get((system, code), {}))
        if system in PREFIX_SYSTEMS:
            for end in range(len(code) - 1, 0, -1):
                for name, entry in self._index.get((system, code[:end]), {}).items():
                    found.setdefault(name, entry)
        return found

    def match(self, code_list, system, code):
        """Return the entry of a list that a coding matches, or None."""
        return self.lists_of(system, code).get(code_list)

    def codes_of(self, code_lists):
        """Return "system|code" for every code of these lists (for the prefetch template)."""
        return [f"{e.system}|{e.code}" for e in self.entries if e.code_list in code_lists]
