"""The values behind each decision, with units, the threshold they met and where they came
from: "Corrected calcium 1.98 mmol/L (below 2.20)", "Creatinine clearance 28.7 mL/min
(below 30; calculated, Cockcroft–Gault from ...)". One renderer for every door: the result
page passes a consultation's stored values, CDS Hooks the assessment it mapped from FHIR.

Which numbers a decision compared is read from the rules of the ruleset that gave it (through
the define rules it asks: options.rules.thresholds), never typed here; the values are the
assessment's own and the result's calculated values and scores.
"""

import threading
from collections.abc import Callable, Mapping

from guidance.selectors import ruleset_engine_rules

from ..choices import field_name, label
from ..rules.texts import format_number
from ..rules.thresholds import ruleset_thresholds

__all__ = ["METHODS", "option_values", "result_values"]

# Creatinine clearance methods the engine names in `derived`.
METHODS = {"cockcroft_gault": "Cockcroft–Gault"}
UNITS = {"corrected_calcium_mmol_l": "mmol/L", "serum_creatinine_umol_l": "µmol/L",
         "weight_kg": "kg", "age_years": "years", "creatinine_clearance_ml_min": "mL/min"}
DECIMALS = {"corrected_calcium_mmol_l": 2}  # as the rule texts and the form give it
OP_WORDS = {"lt": "below {}", "le": "{} or less", "gt": "above {}", "ge": "{} or more",
            "eq": "exactly {}", "ne": "not {}"}
SCORE_NAMES = {"sins": "SINS", "mirels": "Mirels"}

ValueOf = Callable[[str], object]  # a top-level fact's value as entered, or None

# (ruleset id, publication time) -> {rule code: [Threshold]}: a ruleset that has given advice
# never changes, and its publication time keeps a reused id (SQLite) from naming another.
_by_ruleset = {}
_lock = threading.Lock()


def _thresholds(ruleset):
    key = (ruleset.pk, ruleset.published_at)
    found = _by_ruleset.get(key)
    if found is None:
        by_rule = {}
        rules = ruleset_engine_rules(ruleset)
        for threshold in ruleset_thresholds(rules):
            for code in (*threshold.rules, *threshold.via):
                by_rule.setdefault(code, []).append(threshold)
        with _lock:
            found = _by_ruleset[key] = by_rule
    return found


def _number(fact, value):
    decimals = DECIMALS.get(fact)
    return f"{value:.{decimals}f}" if decimals else format_number(value)


def _with_unit(fact, value):
    if isinstance(value, str):
        return label(value).lower()
    return f"{_number(fact, value)} {UNITS.get(fact, '')}".rstrip()


def _compared(threshold):
    return OP_WORDS[threshold.op].format(_number(threshold.fact, threshold.value))


def _how_calculated(value_of, derived):
    method = METHODS.get(derived.get("method"), label(derived.get("method") or ""))
    inputs = ", ".join(f"{field_name(name).lower()} {_with_unit(name, value_of(name))}"
                       for name in derived.get("from", []) if value_of(name) is not None)
    return f"calculated, {method}" + (f" from {inputs}" if inputs else "")


def _patient_value(value_of, result, threshold):
    fact = threshold.fact
    derived = (result.get("derived") or {}).get(fact)
    value = derived["value"] if derived else value_of(fact)
    if value is None:
        return None
    how = f"; {_how_calculated(value_of, derived)}" if derived else ""
    return f"{field_name(fact)} {_with_unit(fact, value)} ({_compared(threshold)}{how})"


def _score_values(result, threshold):
    name = SCORE_NAMES[threshold.fact]
    shown = []
    for entry in result.get("scores", []):
        total, span = entry.get(threshold.fact), entry.get(f"{threshold.fact}_range")
        if total is None and not span:
            continue
        said = f"{total}" if total is not None else f"{span[0]}–{span[1]} (findings not reported)"
        shown.append(f"{name} {said} for lesion {entry['lesion'] + 1} "
                     f"({_compared(threshold)} decides)")
    return shown


def option_values(item: Mapping, *, ruleset, value_of: ValueOf, result: Mapping) -> list[str]:
    """Return the values the rules that decided an option (or hold it) compared, in words.

    `ruleset`: the ruleset that gave the result (None: nothing to say); `value_of`: a
    top-level fact of the assessment as entered or mapped, or None.
    """
    if ruleset is None:
        return []
    by_rule = _thresholds(ruleset)
    codes = [item.get("decided_by"), *(r.get("rule") for r in item.get("not_now") or [])]
    shown, seen = [], set()
    for code in codes:
        for threshold in by_rule.get(code, []):
            if threshold.key in seen:
                continue
            seen.add(threshold.key)
            if threshold.fact in SCORE_NAMES:
                shown += _score_values(result, threshold)
            else:
                text = _patient_value(value_of, result, threshold)
                if text:
                    shown.append(text)
    return shown


def result_values(result: Mapping, *, ruleset, value_of: ValueOf) -> dict[str, list[str]]:
    """Return {option: the values behind its decision} for every option of a result."""
    return {item["option"]: option_values(item, ruleset=ruleset, value_of=value_of,
                                          result=result)
            for item in result.get("options", [])}

