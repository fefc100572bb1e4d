"""The rule and contract changes of 2026-11-27: every word and alert from the decision."""

import pytest

from options.rules import CompiledRuleSet, Rule, RuleError
from options.rules.derive import cockcroft_gault
from options.rules.texts import INTERNAL
from tests.builders import ANALGESIA_FAILED, assessment, long_bone, spine

from .conftest import option

UNSTABLE_C7 = spine("C7", pain="mechanical", collapse="over_50", alignment="subluxation")


def codes(result):
    return sorted(a["code"] for a in result["alerts"])


# 1. Alerts come from the facts, whatever the scope or the step that decided the status.
@pytest.mark.parametrize(("data", "expected"), [
    (assessment("none", lesions=[UNSTABLE_C7]), ["out_of_scope", "unstable_spine"]),
    (assessment("other_haematological", lesions=[UNSTABLE_C7]),
     ["out_of_scope", "unstable_spine"]),
    (assessment("primary_bone", treatment_intent="curative", lesions=[UNSTABLE_C7]),
     ["unstable_spine"]),
    (assessment(lesions=[UNSTABLE_C7], mscc_signs=True), ["mscc", "unstable_spine"]),
    (assessment("none", lesions=[long_bone("peritrochanteric", pain="mechanical",
                                           cortical_involvement="over_two_thirds")]),
     ["orthopaedic_referral", "out_of_scope"]),
], ids=["no-cancer", "lymphoma", "primary-bone", "cord-compression", "no-cancer-femur"])
def test_instability_and_fracture_alerts_stand_whatever_the_scope(run, data, expected):
    assert codes(run(data)) == expected


def test_alerts_follow_the_lowest_end_of_a_score_range(run):
    # C7 3 + mechanical 3 + lytic 2 + collapse over 50% 3 + alignment unknown (0-4) = 11-15
    result = run(assessment(lesions=[{**UNSTABLE_C7, "alignment": None}]))
    assert "unstable_spine" not in codes(result)
    assert any("cannot be excluded" in c for c in option(result, "vertebroplasty")["cautions"])
    certain = run(assessment(lesions=[{**UNSTABLE_C7, "alignment": "deformity"}]))  # 13-13
    assert "unstable_spine" in codes(certain)


# 2. Unknowns judged on the final status, after the safety rules.
def test_an_unknown_that_cannot_change_the_final_status_does_not_ask(run):
    # Hormone-relapsed prostate cancer, no treatment history, pregnant: whatever the history
    # the bisphosphonate is not recommended (rules.md, "Unknown inputs").
    data = assessment("prostate", pregnant=True)
    del data["prior_treatments"]
    decision = option(run(data), "bisphosphonate")
    assert decision["status"] == "not_recommended"
    assert "prior_treatments" not in decision["missing"]
    assert {"BP-NG131-02", "BP-SAFE-01"} <= {r["rule"] for r in decision["reasons"]}


def test_an_unknown_that_could_change_the_final_status_asks(run):
    data = assessment("prostate")
    del data["prior_treatments"]
    decision = option(run(data), "bisphosphonate")
    assert (decision["status"], decision["decided_by"]) == ("needs_information", None)
    assert "prior_treatments" in decision["missing"]


# 3. Scope inputs may be absent.
def test_unknown_bone_metastases_ask_rather_than_guess(run):
    data = assessment("lung")
    del data["bone_metastases"]
    result = run(data)
    assert option(result, "bisphosphonate")["status"] == "needs_information"
    assert "bone_metastases" in option(result, "bisphosphonate")["missing"]
    assert codes(result) == []


# 4. Other haematological cancers are out of scope.
def test_lymphoma_is_out_of_scope_for_all_five(run):
    result = run(assessment("other_haematological"))
    assert {o["status"] for o in result["options"]} == {"not_applicable"}
    assert codes(result) == ["out_of_scope"]
    assert "blood cancers" in result["alerts"][0]["text"]


# 5. Sex: pregnancy is never asked of a man.
def test_pregnancy_is_never_asked_or_shown_for_a_man(run):
    data = assessment("prostate", sex="male", prior=[ANALGESIA_FAILED])
    del data["pregnant"]
    for decision in run(data)["options"]:
        assert "pregnant" not in decision["missing"]
        assert not any(c["rule"].endswith("CRIT-PREGNANCY") for c in decision["criteria"])


def test_pregnancy_is_asked_when_sex_is_not_given(run):
    data = assessment()
    del data["pregnant"]
    assert "pregnant" in option(run(data), "bisphosphonate")["missing"]


# 6. Cockcroft-Gault.
def test_creatinine_clearance_is_calculated_when_not_given_and_says_how(run):
    data = assessment(sex="female", age_years=55, weight_kg=72, serum_creatinine_umol_l=80)
    del data["creatinine_clearance_ml_min"]
    result = run(data)
    assert result["derived"]["creatinine_clearance_ml_min"] == {
        "value": 79.6, "method": "cockcroft_gault",
        "from": ["age_years", "sex", "weight_kg", "serum_creatinine_umol_l"]}
    decision = option(result, "bisphosphonate")
    assert "creatinine_clearance_ml_min" not in decision["missing"]
    assert any("Zoledronic acid 4 mg" in c for c in decision["cautions"])


def test_a_calculated_clearance_below_the_threshold_contraindicates(run):
    # (140 - 85) x 50 x 1.23 / 300 = 11.3 mL/min
    data = assessment(sex="male", age_years=85, weight_kg=50, serum_creatinine_umol_l=300)
    del data["creatinine_clearance_ml_min"]
    result = run(data)
    assert result["derived"]["creatinine_clearance_ml_min"]["value"] == 11.3
    assert option(result, "bisphosphonate")["decided_by"] == "BP-SAFE-02"


def test_an_entered_clearance_wins_and_nothing_is_derived(run):
    result = run(assessment(sex="female", age_years=55, weight_kg=72,
                            serum_creatinine_umol_l=80, creatinine_clearance_ml_min=25))
    assert result["derived"] == {}
    assert option(result, "bisphosphonate")["status"] == "contraindicated"


def test_without_every_cockcroft_gault_input_the_clearance_stays_unknown(run):
    data = assessment(age_years=55, weight_kg=72, serum_creatinine_umol_l=80)  # no sex
    del data["creatinine_clearance_ml_min"]
    result = run(data)
    assert result["derived"] == {}
    assert "creatinine_clearance_ml_min" in option(result, "bisphosphonate")["missing"]


@pytest.mark.parametrize(("sex", "expected"), [("male", 94.1), ("female", 79.6)])
def test_cockcroft_gault_uses_the_uk_constants(sex, expected):
    value = cockcroft_gault(age_years=55, sex=sex, weight_kg=72, serum_creatinine_umol_l=80)
    assert value == expected


# 7. A score threshold decides only when the whole range is on one side.
def test_a_score_range_that_straddles_the_threshold_asks_for_the_finding(run):
    # T12 3 + mechanical 3 + lytic 2 + collapse over 50% 3 + alignment unknown (0-4) = 11-15
    lesion = spine("T12", pain="mechanical", collapse="over_50", alignment=None)
    decision = option(run(assessment(lesions=[lesion], prior=[ANALGESIA_FAILED])),
                      "vertebroplasty")
    assert decision["status"] == "needs_information"
    assert decision["missing"] == ["lesions[0].alignment"]


def test_a_score_range_wholly_below_the_threshold_decides(run):
    lesion = spine("T10", pain="mechanical", collapse=None, posterolateral=None)  # 6-12
    result = run(assessment(lesions=[lesion], prior=[ANALGESIA_FAILED]))
    assert option(result, "vertebroplasty")["status"] == "consider"


# Who decided, and what must happen first.
def test_a_temporary_stop_reads_not_now_and_cites_the_rule_that_decided(run):
    decision = option(run(assessment(unhealed_oral_lesion=True)), "denosumab")
    assert (decision["status"], decision["decided_by"], decision["hold"]) == (
        "contraindicated", "DMAB-SAFE-03", False)
    assert [r["rule"] for r in decision["not_now"]] == ["DMAB-SAFE-03"]
    assert decision["summary"].startswith("Not now:")


def test_two_temporary_stops_both_say_what_must_happen_first(run):
    decision = option(run(assessment(unhealed_oral_lesion=True, corrected_calcium_mmol_l=2.0)),
                      "denosumab")
    assert [r["rule"] for r in decision["not_now"]] == ["DMAB-SAFE-02", "DMAB-SAFE-03"]


def test_a_hold_is_not_now_on_a_standing_option(run):
    decision = option(run(assessment(corrected_calcium_mmol_l=2.1)), "bisphosphonate")
    assert (decision["status"], decision["hold"], decision["decided_by"]) == (
        "recommended", True, "BP-CG81-01")
    assert [r["rule"] for r in decision["not_now"]] == ["BP-HOLD-01"]


def test_a_permanent_stop_is_not_not_now(run):
    decision = option(run(assessment(creatinine_clearance_ml_min=20)), "bisphosphonate")
    assert (decision["decided_by"], decision["not_now"]) == ("BP-SAFE-02", [])


# Every word from the decision: texts render thresholds from the rule data.
def _ruleset_with_calcium(threshold, default_data):
    rules = []
    for data in default_data["rules"]:
        if data["code"] == "DEF-HYPOCALCAEMIA":
            data = {**data, "condition": {"fact": "corrected_calcium_mmol_l", "lt": threshold}}
        rules.append(Rule(**data))
    return CompiledRuleSet(rules, version="test")


def test_a_changed_threshold_changes_every_text_that_names_it():
    from guidance.services import default_ruleset_data
    from options.rules import Assessment, evaluate
    from options.validation import validate_assessment

    ruleset = _ruleset_with_calcium(2.4, default_ruleset_data())
    result = evaluate(Assessment.from_contract(validate_assessment(
        assessment(corrected_calcium_mmol_l=2.3))), ruleset)
    criteria = {c["rule"]: c for c in option(result, "bisphosphonate")["criteria"]}
    assert criteria["BP-CRIT-CALCIUM"]["text"] == "Corrected calcium not low (2.40 mmol/L or more)"
    assert criteria["BP-CRIT-CALCIUM"]["met"] is False
    assert "2.20" not in str(result)


def _rule(**fields):
    values = {"code": "X-1", "effect": "caution", "option": "denosumab",
              "condition": {"fact": "corrected_calcium_mmol_l", "lt": 2.2},
              "text": "Calcium low.", "guidance": "TA265"}
    return Rule(**{**values, **fields})


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"text": "Calcium below 2.2 mmol/L."}, "text", "held by the condition"),
    ({"text": "Calcium below 2.20 mmol/L."}, "text", "held by the condition"),
    ({"patient_text": "Your calcium is below 2.2."}, "patient_text", "held by the condition"),
    ({"text": "Calcium below {corrected_calcium_mmol_l.gt}."}, "text", "names no comparison"),
    ({"text": "Calcium below {0.__class__}."}, "text", "braces only name a parameter"),
    ({"text": "Calcium low (open question Q13)."}, "text", "internal reference"),
    ({"text": "Calcium low (Q13)."}, "text", "internal reference"),
    ({"temporary": True}, "temporary", "only a safety rule"),
], ids=["bare-number", "same-number-two-decimals", "patient-text", "unknown-parameter",
        "format-attack", "open-question", "q-reference", "temporary-caution"])
def test_a_rule_text_that_would_not_follow_its_data_is_refused(fields, field, message):
    with pytest.raises(RuleError) as caught:
        CompiledRuleSet([_rule(**fields)], version="t")
    assert (caught.value.field, message in caught.value.message) == (field, True)


def test_a_parameter_reaches_through_derived_facts():
    define = Rule(code="DEF-X", effect="define", defines="low_calcium", guidance="TA265",
                  condition={"fact": "corrected_calcium_mmol_l", "lt": 2.25}, text="Low.")
    caution = _rule(condition={"fact": "low_calcium", "is": True},
                    text="Calcium below {corrected_calcium_mmol_l.lt:2} mmol/L.")
    ruleset = CompiledRuleSet([define, caution], version="t")
    compiled = ruleset.by_option["denosumab"]["caution"][0]
    assert compiled.reason["text"] == "Calcium below 2.25 mmol/L."


def test_no_default_rule_text_holds_an_internal_reference_and_every_text_renders(default_rules):
    from guidance.services import default_ruleset_data

    for data in default_ruleset_data()["rules"]:
        for name in ("text", "patient_text"):
            assert not INTERNAL.search(data[name]), (data["code"], name)
    shown = [c.reason for rules in default_rules.by_option.values()
             for group in rules.values() for c in group] + [
        c.reason for c in default_rules.alerts]
    for reason in shown:
        assert "{" not in reason["text"] and "open question" not in reason["text"].lower()
