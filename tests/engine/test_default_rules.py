"""Every rule of the default ruleset, one behaviour each: a test fails if a rule goes.

Each case is (rule code, assessment, expectation). The expectation states the clinical
behaviour in the test itself (status, hold, criterion met, or words the text must carry), so a
rule that is removed, loses its effect or changes meaning makes its case fail. The last test
checks that every rule in the data file has a case.
"""

import pytest

from guidance.services import default_ruleset_data
from options.rules import Assessment
from options.rules.engine import Facts
from options.validation import validate_assessment
from tests.builders import (
    ANALGESIA_FAILED,
    RADIOTHERAPY_FAILED,
    assessment,
    flat,
    long_bone,
    prior,
    spine,
)

from .conftest import option

FAILED_BOTH = [ANALGESIA_FAILED, RADIOTHERAPY_FAILED]
PROSTATE_PAIN = assessment("prostate", prior=FAILED_BOTH)
PELVIS_REFRACTORY = assessment(lesions=[flat("pelvis")], prior=FAILED_BOTH)
COLLAPSED_L1 = spine("L1", pain="mechanical", collapse="under_50")  # SINS 10
VERTEBRA_CANDIDATE = assessment(lesions=[COLLAPSED_L1], prior=[ANALGESIA_FAILED])
UNSTABLE_T1 = spine("T1", pain="mechanical", collapse="over_50", alignment="deformity",
                    posterolateral="unilateral")  # SINS 14
HIGH_MIRELS = long_bone("peritrochanteric", pain="mechanical",
                        cortical_involvement="over_two_thirds")  # 12
MIRELS_8 = long_bone("lower_limb")  # 2 + 2 + 3 + 1


def status(name, expected):
    return ("status", name, expected)


def hold(name):
    return ("hold", name, True)


def met(name, expected):
    return ("criterion", name, expected)


def says(kind, name, words):
    return (kind, name, words)


def alert(severity):
    return ("alert", None, severity)


CASES = [
    ("SCOPE-01", assessment("none"), status("denosumab", "not_applicable")),
    ("ALERT-MSCC", assessment(lesions=[spine()], mscc_signs=True), alert("critical")),
    ("ALERT-UNSTABLE-SPINE", assessment(lesions=[UNSTABLE_T1]), alert("warning")),
    ("ALERT-ORTHO", assessment(lesions=[HIGH_MIRELS]), alert("warning")),
    ("ALERT-OUT-OF-SCOPE", assessment("breast", bone_metastases=False), alert("info")),
    ("SCOPE-HAEM", assessment("other_haematological"), status("bisphosphonate", "not_applicable")),
    ("ALERT-OUT-OF-SCOPE-HAEM", assessment("other_haematological"), alert("info")),
    # Bisphosphonates
    ("BP-SCOPE-PB", assessment("primary_bone", treatment_intent="palliative"),
     status("bisphosphonate", "not_applicable")),
    ("BP-CG81-01", assessment("breast"), status("bisphosphonate", "recommended")),
    ("BP-NG35-01", assessment("myeloma"), status("bisphosphonate", "recommended")),
    ("BP-NG35-02", assessment("myeloma", myeloma_needs_treatment=False),
     status("bisphosphonate", "not_recommended")),
    ("BP-NG131-01", PROSTATE_PAIN, status("bisphosphonate", "consider")),
    ("BP-NG131-02", {**PROSTATE_PAIN, "prostate_hormone_status": "hormone_sensitive"},
     status("bisphosphonate", "not_recommended")),
    ("BP-SOLID-01", assessment("lung"), status("bisphosphonate", "consider")),
    ("BP-SAFE-01", assessment(pregnant=True), status("bisphosphonate", "not_recommended")),
    ("BP-SAFE-02", assessment(creatinine_clearance_ml_min=29.9),
     status("bisphosphonate", "contraindicated")),
    ("BP-HOLD-01", assessment(corrected_calcium_mmol_l=2.19), hold("bisphosphonate")),
    ("BP-HOLD-02", assessment(unhealed_oral_lesion=True), hold("bisphosphonate")),
    ("BP-CRIT-BREAST", assessment(), met("bisphosphonate", True)),
    ("BP-CRIT-MYELOMA", assessment("myeloma", myeloma_needs_treatment=False),
     met("bisphosphonate", False)),
    ("BP-CRIT-PROSTATE-HR", PROSTATE_PAIN, met("bisphosphonate", True)),
    ("BP-CRIT-PROSTATE-ANALGESIA", PROSTATE_PAIN, met("bisphosphonate", True)),
    ("BP-CRIT-PROSTATE-RT", assessment("prostate", prior=[ANALGESIA_FAILED]),
     met("bisphosphonate", False)),
    ("BP-CRIT-RENAL", assessment(creatinine_clearance_ml_min=25), met("bisphosphonate", False)),
    ("BP-CRIT-CALCIUM", assessment(corrected_calcium_mmol_l=2.1), met("bisphosphonate", False)),
    ("BP-CRIT-MOUTH", assessment(unhealed_oral_lesion=True), met("bisphosphonate", False)),
    ("BP-CRIT-DENTAL", assessment(dental_assessment_done=None), met("bisphosphonate", None)),
    ("BP-CRIT-PREGNANCY", assessment(), met("bisphosphonate", True)),
    ("BP-COND-MYELOMA", assessment("myeloma"),
     says("conditions", "bisphosphonate", "sodium clodronate")),
    ("BP-COND-PROSTATE", PROSTATE_PAIN, says("conditions", "bisphosphonate", "pain relief only")),
    ("BP-CAUT-SUPPLEMENTS", assessment(),
     says("cautions", "bisphosphonate", "Calcium 500 mg and vitamin D 400 units")),
    ("BP-CAUT-DENTAL", assessment(), says("cautions", "bisphosphonate", "reminder card")),
    ("BP-CAUT-NO-DENOSUMAB", assessment(),
     says("cautions", "bisphosphonate", "Never combine with denosumab")),
    ("BP-CAUT-CREATININE", assessment(), says("cautions", "bisphosphonate", "before every dose")),
    ("BP-CAUT-DOSE-4", assessment(creatinine_clearance_ml_min=61),
     says("cautions", "bisphosphonate", "Zoledronic acid 4 mg")),
    ("BP-CAUT-DOSE-3.5", assessment(creatinine_clearance_ml_min=60),
     says("cautions", "bisphosphonate", "Zoledronic acid 3.5 mg")),
    ("BP-CAUT-DOSE-3.3", assessment(creatinine_clearance_ml_min=40),
     says("cautions", "bisphosphonate", "Zoledronic acid 3.3 mg")),
    ("BP-CAUT-DOSE-3.0", assessment(creatinine_clearance_ml_min=30),
     says("cautions", "bisphosphonate", "Zoledronic acid 3.0 mg")),
    # Denosumab
    ("DMAB-SCOPE-PB", assessment("primary_bone", treatment_intent="palliative"),
     status("denosumab", "not_applicable")),
    ("DMAB-TA549-01", assessment("myeloma"), status("denosumab", "not_applicable")),
    ("DMAB-TA265-02", PROSTATE_PAIN, status("denosumab", "not_recommended")),
    ("DMAB-TA265-01", assessment("breast"), status("denosumab", "recommended")),
    ("DMAB-TA265-03", assessment("renal"), status("denosumab", "consider")),
    ("DMAB-SAFE-01", assessment(pregnant=True), status("denosumab", "not_recommended")),
    ("DMAB-SAFE-02", assessment(corrected_calcium_mmol_l=2.19),
     status("denosumab", "contraindicated")),
    ("DMAB-SAFE-03", assessment(unhealed_oral_lesion=True), status("denosumab", "contraindicated")),
    ("DMAB-CRIT-SOLID", PROSTATE_PAIN, met("denosumab", False)),
    ("DMAB-CRIT-CALCIUM", assessment(), met("denosumab", True)),
    ("DMAB-CRIT-MOUTH", assessment(unhealed_oral_lesion=True), met("denosumab", False)),
    ("DMAB-CRIT-DENTAL", assessment(dental_assessment_done=False), met("denosumab", False)),
    ("DMAB-CRIT-PREGNANCY", assessment(pregnant=True), met("denosumab", False)),
    ("DMAB-COND-BP", assessment(),
     says("conditions", "denosumab", "bisphosphonate would otherwise be prescribed")),
    ("DMAB-COND-PAS", assessment(), says("conditions", "denosumab", "patient access scheme")),
    ("DMAB-CAUT-SUPPLEMENTS", assessment(),
     says("cautions", "denosumab", "500 mg calcium and 400 IU vitamin D")),
    ("DMAB-CAUT-CALCIUM", assessment(), says("cautions", "denosumab", "within 2 weeks")),
    ("DMAB-CAUT-RENAL", assessment(creatinine_clearance_ml_min=25),
     says("cautions", "denosumab", "monitor calcium closely")),
    ("DMAB-CAUT-Q8", assessment(creatinine_clearance_ml_min=25),
     says("cautions", "denosumab", "whether TA265's condition")),
    ("DMAB-CAUT-DENTAL", assessment(), says("cautions", "denosumab", "reminder card")),
    ("DMAB-CAUT-NO-BP", assessment(),
     says("cautions", "denosumab", "Never combine with a bisphosphonate")),
    ("DMAB-NOTE-CONTINUE", assessment("prostate", prior=[prior("denosumab", "ongoing")]),
     says("notes", "denosumab", "may continue")),
    # Percutaneous cementoplasty
    ("PC-IPG179-01", assessment(lesions=[spine()]), status("cementoplasty", "not_applicable")),
    ("PC-CIRSE-01", {**PELVIS_REFRACTORY, "uncorrectable_coagulopathy": True},
     status("cementoplasty", "contraindicated")),
    ("PC-IPG179-02", assessment("primary_bone", lesions=[flat()], prior=FAILED_BOTH,
                                treatment_intent="curative"),
     status("cementoplasty", "not_recommended")),
    ("PC-IPG179-03", PELVIS_REFRACTORY, status("cementoplasty", "consider")),
    ("PC-IPG179-04", assessment(lesions=[flat()], prior=[ANALGESIA_FAILED]),
     status("cementoplasty", "not_recommended")),
    ("PC-CRIT-LESION", PELVIS_REFRACTORY, met("cementoplasty", True)),
    ("PC-CRIT-ANALGESIA", assessment(lesions=[flat()]), met("cementoplasty", False)),
    ("PC-CRIT-RT", assessment(lesions=[flat()], prior=[prior("radiotherapy", "inadequate", 1)]),
     met("cementoplasty", False)),
    ("PC-CRIT-MIRELS", assessment(lesions=[HIGH_MIRELS]), met("cementoplasty", False)),
    ("PC-CRIT-COAGULATION", PELVIS_REFRACTORY, met("cementoplasty", True)),
    ("PC-CRIT-INFECTION", {**PELVIS_REFRACTORY, "active_infection": True},
     met("cementoplasty", False)),
    ("PC-CRIT-ALLERGY", {**PELVIS_REFRACTORY, "cement_allergy": None},
     met("cementoplasty", None)),
    ("PC-CRIT-INTENT", assessment("primary_bone", lesions=[flat()], treatment_intent="palliative"),
     met("cementoplasty", True)),
    ("PC-COND-GOVERNANCE", PELVIS_REFRACTORY,
     says("conditions", "cementoplasty", "consent, audit and clinical governance")),
    ("PC-COND-MDT", PELVIS_REFRACTORY, says("conditions", "cementoplasty", "multidisciplinary")),
    ("PC-CAUT-MIRELS-8", assessment(lesions=[MIRELS_8], prior=FAILED_BOTH),
     says("cautions", "cementoplasty", "Mirels 8 (borderline)")),
    ("PC-CAUT-MIRELS-RANGE",
     assessment(lesions=[long_bone("lower_limb", cortical_involvement=None)],
                prior=[ANALGESIA_FAILED]),  # Mirels 2+2+3+(1-3) = 8-10, pain not refractory
     says("cautions", "cementoplasty", "cannot be excluded until the cortical involvement")),
    ("PC-CAUT-PREGNANCY", {**PELVIS_REFRACTORY, "pregnant": True},
     says("cautions", "cementoplasty", "fluoroscopic")),
    ("BKP-COND-HEIGHT", VERTEBRA_CANDIDATE,
     says("conditions", "kyphoplasty", "restore vertebral body height")),
]

for prefix, name in (("VP", "vertebroplasty"), ("BKP", "kyphoplasty")):
    CASES += [
        (f"{prefix}-NG234-01", assessment("primary_bone", lesions=[COLLAPSED_L1],
                                          treatment_intent="palliative"),
         status(name, "not_applicable")),
        (f"{prefix}-CG75-01", assessment(lesions=[flat()]), status(name, "not_applicable")),
        (f"{prefix}-NG234-02", {**VERTEBRA_CANDIDATE, "mscc_signs": True},
         status(name, "contraindicated")),
        (f"{prefix}-CIRSE-01", assessment(lesions=[{**COLLAPSED_L1, "retropulsion": True}],
                                          prior=[ANALGESIA_FAILED]),
         status(name, "contraindicated")),
        (f"{prefix}-CIRSE-02", {**VERTEBRA_CANDIDATE, "active_infection": True},
         status(name, "contraindicated")),
        (f"{prefix}-CG75-02", VERTEBRA_CANDIDATE, status(name, "consider")),
        (f"{prefix}-CG75-03", assessment(lesions=[spine(pain="none")]),
         status(name, "not_recommended")),
        (f"{prefix}-CRIT-MSCC", VERTEBRA_CANDIDATE, met(name, True)),
        (f"{prefix}-CRIT-STABLE", assessment(lesions=[UNSTABLE_T1]), met(name, False)),
        (f"{prefix}-CRIT-PAIN", VERTEBRA_CANDIDATE, met(name, True)),
        (f"{prefix}-CRIT-CANAL", VERTEBRA_CANDIDATE, met(name, True)),
        (f"{prefix}-CRIT-COAGULATION", {**VERTEBRA_CANDIDATE, "uncorrectable_coagulopathy": None},
         met(name, None)),
        (f"{prefix}-CRIT-INFECTION", VERTEBRA_CANDIDATE, met(name, True)),
        (f"{prefix}-CRIT-ALLERGY", VERTEBRA_CANDIDATE, met(name, True)),
        (f"{prefix}-COND-AGREEMENT", VERTEBRA_CANDIDATE,
         says("conditions", name, "interventional radiologist and spinal surgeon")),
        (f"{prefix}-COND-ACCESS", VERTEBRA_CANDIDATE,
         says("conditions", name, "access to a spinal surgery service")),
        (f"{prefix}-COND-OPERATORS", VERTEBRA_CANDIDATE,
         says("conditions", name, "mixing instructions")),
        (f"{prefix}-COND-SINS", VERTEBRA_CANDIDATE,
         says("conditions", name, "spinal surgeon review first")),
        (f"{prefix}-CAUT-Q7", assessment(lesions=[COLLAPSED_L1],
                                         prior=[prior("opioid", "effective")]),
         says("cautions", name, "IPG12 restricts it to pain refractory")),
        (f"{prefix}-CAUT-SINS-RANGE",  # SINS 12-16: pain not refractory, alignment unknown
         assessment(lesions=[spine("T1", pain="mechanical", collapse="over_50",
                                   posterolateral="unilateral", alignment=None)]),
         says("cautions", name, "instability (SINS 13 or more) cannot be excluded")),
        (f"{prefix}-COND-SINS-RANGE",  # SINS 6-12 as in scenario V39
         assessment(lesions=[spine("T10", pain="mechanical", collapse=None,
                                   posterolateral=None)], prior=[ANALGESIA_FAILED]),
         says("conditions", name, "SINS may be 7-12")),
        (f"{prefix}-CAUT-PREGNANCY", {**VERTEBRA_CANDIDATE, "pregnant": True},
         says("cautions", name, "fluoroscopic")),
    ]


def _check(result, code, expectation):
    kind, name, expected = expectation
    if kind == "alert":
        alerts = [a for a in result["alerts"] if a["rule"] == code]
        assert [a["severity"] for a in alerts] == [expected]
        return
    decision = option(result, name)
    reasons = [r["rule"] for r in decision["reasons"]]
    if kind == "status":
        assert (decision["status"], code in reasons) == (expected, True)
    elif kind == "hold":
        assert (decision["hold"], code in reasons) == (True, True)
    elif kind == "criterion":
        criteria = {c["rule"]: c["met"] for c in decision["criteria"]}
        assert code in criteria and criteria[code] is expected
    else:
        assert any(expected in text for text in decision[kind]), decision[kind]


@pytest.mark.parametrize(("code", "data", "expectation"), CASES, ids=[c[0] for c in CASES])
def test_rule_behaves_as_the_guidance_says(run, code, data, expectation):
    _check(run(data), code, expectation)


# Derived facts: the `define` rules, by their edges.
DERIVED = [
    ("DEF-ANALGESIA-FAILED", "analgesia_failed", {"prior_treatments": [ANALGESIA_FAILED]}, True),
    ("DEF-ANALGESIA-FAILED", "analgesia_failed",
     {"prior_treatments": [prior("simple_analgesia", "not_tolerated")]}, True),
    ("DEF-ANALGESIA-FAILED", "analgesia_failed",
     {"prior_treatments": [ANALGESIA_FAILED, prior("adjuvant_analgesia", "effective")]}, False),
    ("DEF-ANALGESIA-FAILED", "analgesia_failed",
     {"prior_treatments": [prior("opioid", "ongoing")]}, False),
    ("DEF-ANALGESIA-FAILED", "analgesia_failed", {"prior_treatments": []}, False),
    ("DEF-ANALGESIA-FAILED", "analgesia_failed", {"prior_treatments": None}, None),
    ("DEF-RADIOTHERAPY-FAILED", "radiotherapy_failed",
     {"prior_treatments": [prior("radiotherapy", "inadequate", 2)]}, True),
    ("DEF-RADIOTHERAPY-FAILED", "radiotherapy_failed",
     {"prior_treatments": [prior("radiotherapy", "inadequate", 1)]}, False),
    ("DEF-RADIOTHERAPY-FAILED", "radiotherapy_failed",
     {"prior_treatments": [prior("radiotherapy", "effective", 6)]}, False),
    ("DEF-RADIOTHERAPY-FAILED", "radiotherapy_failed",
     {"prior_treatments": [prior("radiotherapy", "inadequate")]}, None),
    ("DEF-HYPOCALCAEMIA", "hypocalcaemia", {"corrected_calcium_mmol_l": 2.19}, True),
    ("DEF-HYPOCALCAEMIA", "hypocalcaemia", {"corrected_calcium_mmol_l": 2.20}, False),
    ("DEF-HYPOCALCAEMIA", "hypocalcaemia", {"corrected_calcium_mmol_l": None}, None),
    ("DEF-CRCL-BELOW-30", "crcl_below_30", {"creatinine_clearance_ml_min": 29.9}, True),
    ("DEF-CRCL-BELOW-30", "crcl_below_30", {"creatinine_clearance_ml_min": 30}, False),
    ("DEF-OUT-OF-SCOPE", "out_of_scope", {"cancer_type": "none"}, True),
    ("DEF-OUT-OF-SCOPE", "out_of_scope", {"bone_metastases": False}, True),
    ("DEF-OUT-OF-SCOPE", "out_of_scope",
     {"cancer_type": "myeloma", "myeloma_needs_treatment": True, "bone_metastases": False}, False),
    ("DEF-OUT-OF-SCOPE", "out_of_scope", {}, False),
]


@pytest.mark.parametrize(("code", "fact", "fields", "expected"), DERIVED,
                         ids=[f"{d[0]}-{i}" for i, d in enumerate(DERIVED)])
def test_derived_fact(default_rules, code, fact, fields, expected):
    data = {k: v for k, v in {**assessment(), **fields}.items() if v is not None}
    facts = Facts(Assessment.from_contract(validate_assessment(data)), default_rules.defines)
    assert default_rules.defines[fact].rule.code == code
    assert facts.derive(fact)[0] is expected


def test_every_rule_in_the_default_ruleset_has_a_behaviour_test():
    codes = {rule["code"] for rule in default_ruleset_data()["rules"]}
    tested = {case[0] for case in CASES} | {d[0] for d in DERIVED}
    assert codes - tested == set(), "rules without a test"
    assert tested - codes == set(), "tests for rules that do not exist"
