"""Readable conditions: a rule's condition in plain words, from the engine's own parser."""


import pytest

from guidance.services import default_ruleset_data
from options.rules import ConditionError
from options.rules.plain import condition_plain

DEFINES = {r["defines"]: r["condition"] for r in default_ruleset_data()["rules"]
           if r["effect"] == "define"}


@pytest.mark.parametrize(("condition", "words"), [
    ({"fact": "corrected_calcium_mmol_l", "lt": 2.2}, "corrected calcium below 2.20 mmol/L"),
    ({"all": [{"fact": "corrected_calcium_mmol_l", "lt": 2.2},
              {"fact": "cancer_type", "in": ["breast", "prostate"]}]},
     "corrected calcium below 2.20 mmol/L and cancer type is one of breast, prostate"),
    ({"any": [{"fact": "pregnant", "is": True}, {"not": {"fact": "age_years", "ge": 18}}]},
     "pregnant is yes or not age at least 18 years"),
    ({"any_lesion": {"all": [{"fact": "sins", "ge": 7}, {"fact": "sins", "le": 12}]}},
     "a lesion where (SINS at least 7 and SINS at most 12)"),
    ({"fact": "hypocalcaemia", "is": False},
     "not hypocalcaemia (corrected calcium below 2.20 mmol/L)"),
    ({"when": {"fact": "cancer_type", "eq": "prostate"},
      "met": {"fact": "prostate_hormone_status", "eq": "hormone_relapsed"}},
     "where cancer type is prostate: prostate hormone status is hormone relapsed"),
    ({"unknown": {"any_lesion": {"fact": "mirels", "ge": 9}}},
     "it cannot be told whether a lesion where Mirels score at least 9"),
    ({"always": True}, "always"),
], ids=["threshold", "and", "or-not", "lesion", "derived", "criterion", "unknown", "always"])
def test_a_condition_reads_in_plain_words(condition, words):
    assert condition_plain(condition, DEFINES) == words


def test_a_threshold_change_shows_in_the_words():
    changed = {"fact": "corrected_calcium_mmol_l", "lt": 2.1}
    assert condition_plain({"fact": "hypocalcaemia", "is": True},
                           {**DEFINES, "hypocalcaemia": changed}) == (
        "hypocalcaemia (corrected calcium below 2.10 mmol/L)")


@pytest.mark.parametrize("condition", [{"fact": "serum_calcium", "lt": 2},
                                       {"all": []}, {"maybe": True}])
def test_what_the_parser_refuses_is_never_rendered(condition):
    with pytest.raises(ConditionError):
        condition_plain(condition, DEFINES)


def test_every_default_rule_reads_in_words():
    for rule in default_ruleset_data()["rules"]:
        words = condition_plain(rule["condition"], DEFINES)
        assert words and "{" not in words and "_" not in words, (rule["code"], words)


@pytest.mark.django_db
def test_the_admin_shows_the_words_beside_the_json(guidance_editor_client, published_ruleset):
    rule = published_ruleset.rules.get(code="BP-CRIT-CALCIUM")
    page = guidance_editor_client.get(f"/admin/guidance/rule/{rule.pk}/change/")
    text = page.content.decode()
    assert "In plain words" in text
    assert "not hypocalcaemia (corrected calcium below 2.20 mmol/L)" in text
    assert "&quot;fact&quot;: &quot;hypocalcaemia&quot;" in text  # the JSON stays beside them
