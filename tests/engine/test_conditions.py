"""The condition vocabulary: three-valued logic, missing paths, and parse errors."""

import pytest

from options.rules import Assessment, ConditionError, Lesion, Parser, PriorTreatment
from options.rules.conditions import settled
from options.rules.engine import Facts

T, F, U = True, False, None


def facts(**fields):
    return Facts(Assessment(**{"cancer_type": "breast", **fields}), {})


def value(cond, **fields):
    return Parser().compile(cond)(facts(**fields), None)


# pregnant: True/False/None stands in for a true/false/unknown operand.
def operand(v):
    return {"pregnant": v}


AND_TABLE = [(T, T, T), (T, F, F), (T, U, U), (F, U, F), (U, U, U), (F, F, F)]
OR_TABLE = [(T, T, T), (T, F, T), (T, U, T), (F, U, U), (U, U, U), (F, F, F)]


@pytest.mark.parametrize(("a", "b", "expected"), AND_TABLE, ids=str)
def test_all_is_kleene_and(a, b, expected):
    cond = {"all": [{"fact": "pregnant", "is": True}, {"fact": "cement_allergy", "is": True}]}
    assert value(cond, pregnant=a, cement_allergy=b)[0] is expected


@pytest.mark.parametrize(("a", "b", "expected"), OR_TABLE, ids=str)
def test_any_is_kleene_or(a, b, expected):
    cond = {"any": [{"fact": "pregnant", "is": True}, {"fact": "cement_allergy", "is": True}]}
    assert value(cond, pregnant=a, cement_allergy=b)[0] is expected


@pytest.mark.parametrize(("a", "expected"), [(T, F), (F, T), (U, U)], ids=str)
def test_not_keeps_unknown_unknown(a, expected):
    assert value({"not": {"fact": "pregnant", "is": True}}, pregnant=a)[0] is expected


def test_unknown_names_the_missing_field():
    assert value({"fact": "creatinine_clearance_ml_min", "lt": 30}) == (
        None, ("creatinine_clearance_ml_min",), ())


def test_a_false_conjunct_hides_an_unknown_one():
    cond = {"all": [{"fact": "cancer_type", "eq": "prostate"},
                    {"fact": "prostate_hormone_status", "eq": "hormone_relapsed"}]}
    assert value(cond) == (False, (), ())


@pytest.mark.parametrize(("op", "operand", "crcl", "expected"), [
    ("lt", 30, 29.9, T), ("lt", 30, 30, F), ("le", 30, 30, T), ("gt", 60, 60, F),
    ("ge", 60, 60, T), ("eq", 60, 60, T), ("ne", 60, 60, F),
])
def test_numeric_comparisons_at_their_edges(op, operand, crcl, expected):
    cond = {"fact": "creatinine_clearance_ml_min", op: operand}
    assert value(cond, creatinine_clearance_ml_min=crcl)[0] is expected


def test_membership():
    assert value({"fact": "cancer_type", "in": ["breast", "lung"]})[0] is True
    assert value({"fact": "cancer_type", "not_in": ["breast", "lung"]})[0] is False


def test_any_lesion_reports_the_matching_lesions():
    lesions = (Lesion(site="pelvis", lesion_type="lytic", pain="none"),
               Lesion(site="other", lesion_type="lytic", pain="mild"),
               Lesion(site="sacrum", lesion_type="mixed", pain="mechanical"))
    cond = {"any_lesion": {"fact": "pain", "ne": "none"}}
    assert value(cond, lesions=lesions) == (True, (), (1, 2))


def test_any_lesion_is_unknown_when_lesions_are_not_given():
    assert value({"any_lesion": {"fact": "pain", "eq": "mild"}}) == (None, ("lesions",), ())


def test_any_lesion_names_the_unknown_finding_by_path():
    lesions = (Lesion(site="spine", level="T4", lesion_type="lytic", pain="mild",
                      collapse="none", alignment="normal", posterolateral="none"),)
    cond = {"any_lesion": {"fact": "retropulsion", "is": True}}
    assert value(cond, lesions=lesions) == (None, ("lesions[0].retropulsion",), ())


def test_a_finding_that_does_not_apply_to_the_site_is_false_not_unknown():
    lesions = (Lesion(site="pelvis", lesion_type="lytic", pain="mild"),)
    for cond in ({"fact": "retropulsion", "is": True}, {"fact": "mirels", "ge": 9}):
        assert value({"any_lesion": cond}, lesions=lesions)[0] is False


def test_any_prior_and_its_unknown_weeks():
    priors = (PriorTreatment("radiotherapy", "inadequate"),)
    cond = {"any_prior": {"all": [{"fact": "treatment", "eq": "radiotherapy"},
                                  {"fact": "weeks_ago", "ge": 2}]}}
    assert value(cond, prior_treatments=priors) == (
        None, ("prior_treatments[0].weeks_ago",), ())
    assert value(cond, prior_treatments=()) == (False, (), ())
    assert value(cond) == (None, ("prior_treatments",), ())


BAD_CONDITIONS = [
    ([], "condition", "must be an object"),
    ({}, "condition", "must be an object"),
    ({"fact": "cancer", "eq": "breast"}, "condition.fact", "unknown fact 'cancer'"),
    ({"fact": "cancer_type", "eq": "brest"}, "condition.eq", "'brest' is not one of"),
    ({"fact": "cancer_type", "lt": 3}, "condition.lt", "needs a numeric fact"),
    ({"fact": "pregnant", "eq": "yes"}, "condition.eq", "must be true or false"),
    ({"fact": "cancer_type"}, "condition", "exactly one comparison"),
    ({"fact": "cancer_type", "eq": "breast", "ne": "lung"}, "condition", "exactly one"),
    ({"fact": "creatinine_clearance_ml_min", "lt": 300}, "condition.lt", "between 0 and 250"),
    ({"fact": "cancer_type", "in": []}, "condition.in", "non-empty list"),
    ({"all": []}, "condition.all", "non-empty list"),
    ({"all": [{"fact": "pregnant", "is": True}, {"fact": "x", "is": True}]},
     "condition.all[1].fact", "unknown fact 'x'"),
    ({"any_lesion": {"any_lesion": {"fact": "pain", "eq": "mild"}}},
     "condition.any_lesion", "only be used at patient level"),
    ({"any_lesion": {"fact": "sins", "ge": "9"}}, "condition.any_lesion.ge", "must be a number"),
    ({"eval": "1"}, "condition", "unknown operator 'eval'"),
    ({"always": False}, "condition.always", "must be true"),
    ({"fact": "analgesia_failed", "is": True}, "condition.fact", "unknown fact"),
]


@pytest.mark.parametrize(("cond", "path", "message"), BAD_CONDITIONS,
                         ids=[f"{i}-{c[1]}" for i, c in enumerate(BAD_CONDITIONS)])
def test_a_condition_outside_the_vocabulary_is_refused_with_its_path(cond, path, message):
    with pytest.raises(ConditionError) as caught:
        Parser().compile(cond)
    assert caught.value.path == path
    assert message in caught.value.message


def test_a_derived_fact_is_known_once_defined():
    parser = Parser(derived={"analgesia_failed"})
    parser.compile({"fact": "analgesia_failed", "is": True})


BREAST = {"fact": "cancer_type", "eq": "breast"}
CALCIUM = {"fact": "corrected_calcium_mmol_l", "lt": 2.2}
SETTLED = [
    ("the fact itself", BREAST, "breast", True),
    ("the fact itself, another value", BREAST, "lung", False),
    ("a false conjunct decides an all", {"all": [BREAST, CALCIUM]}, "lung", False),
    ("a true conjunct leaves an all open", {"all": [BREAST, CALCIUM]}, "breast", None),
    ("a true disjunct decides an any", {"any": [CALCIUM, BREAST]}, "breast", True),
    ("a false disjunct leaves an any open", {"any": [CALCIUM, BREAST]}, "lung", None),
    ("not turns it round", {"not": BREAST}, "lung", True),
    ("always holds", {"always": True}, "lung", True),
    ("another fact leaves it open", CALCIUM, "lung", None),
    ("a lesion leaves it open", {"any_lesion": {"fact": "site", "eq": "spine"}}, "lung", None),
    ("unknown leaves it open", {"unknown": BREAST}, "lung", None),
]


@pytest.mark.parametrize(("cond", "cancer_type", "expected"), [s[1:] for s in SETTLED],
                         ids=[s[0] for s in SETTLED])
def test_settled_by_the_cancer_type_alone(cond, cancer_type, expected):
    assert settled(cond, "cancer_type", cancer_type) is expected
    if expected is not None:  # what the compiler assumes is what evaluation finds
        fields = {"cancer_type": cancer_type, "corrected_calcium_mmol_l": None}
        assert Parser().compile(cond)(facts(**fields), None)[0] is expected


def test_a_derived_fact_is_settled_by_its_definition():
    derived = {"breast_case": BREAST}
    assert settled({"fact": "breast_case", "is": True}, "cancer_type", "lung", derived) is False
    assert settled({"fact": "breast_case", "is": False}, "cancer_type", "lung", derived) is True
    assert settled({"fact": "breast_case", "is": True}, "cancer_type", "lung") is None
