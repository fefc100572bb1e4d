"""A rule's condition in plain words, for the reviewer who should not have to read JSON.

    condition_plain({"all": [{"fact": "corrected_calcium_mmol_l", "lt": 2.2},
                             {"fact": "cancer_type", "eq": "breast"}]})
    -> "corrected calcium below 2.20 mmol/L and cancer type is breast"

The condition is first compiled by the engine's own Parser, so only what the engine accepts
is ever rendered (a ConditionError names the path otherwise), and the words follow the same
vocabulary. A derived fact is shown with its definition when the define rule is given.
Standard library only.
"""

from collections.abc import Mapping

from .conditions import Condition, Parser
from .vocab import LESION_FACTS, PATIENT_FACTS, PRIOR_FACTS

# Unit suffixes of fact names: (suffix, unit, decimals shown).
UNITS = (("_mmol_l", "mmol/L", 2), ("_umol_l", "micromol/L", 0), ("_ml_min", "mL/min", 0),
         ("_kg", "kg", 0), ("_years", "years", 0))
WORDS = {"lt": "below", "le": "at most", "gt": "above", "ge": "at least", "eq": "is",
         "ne": "is not", "in": "is one of", "not_in": "is none of"}
NAMES = {"sins": "SINS", "sins_band": "SINS band", "mirels": "Mirels score",
         "mirels_band": "Mirels band", "mscc_signs": "signs of MSCC",
         "weeks_ago": "weeks since it was given"}
KNOWN = {**PATIENT_FACTS, **LESION_FACTS, **PRIOR_FACTS}


def condition_plain(condition: Condition, derived: Mapping[str, Condition | None] | None = None,
                    labels: Mapping[str, str] | None = None) -> str:
    """Return a condition (or a criterion's when/met) in plain words; ConditionError if bad.

    `derived` maps derived facts to their define rules' conditions, as Parser takes it;
    `labels` maps vocabulary values to the words people read (default: underscores spaced).
    """
    parser = Parser(derived=derived or {})
    parser.compile_criterion(condition)
    return _Words(parser.derived, labels or {}).criterion(condition)


class _Words:
    def __init__(self, derived, labels):
        self.derived = derived
        self.labels = labels

    def criterion(self, cond):
        if "met" in cond:
            met = self.render(cond["met"])
            return f"where {self.render(cond['when'])}: {met}" if "when" in cond else met
        return self.render(cond)

    def render(self, cond, nested=False):
        if "fact" in cond:
            return self.comparison(cond)
        (key, arg), = cond.items()
        if key == "always":
            return "always"
        if key in ("all", "any"):
            joined = f" {'and' if key == 'all' else 'or'} ".join(
                self.render(part, nested=True) for part in arg)
            return f"({joined})" if nested and len(arg) > 1 else joined
        if key == "not":
            return f"not {self.render(arg, nested=True)}"
        if key == "unknown":
            return f"it cannot be told whether {self.render(arg)}"
        noun = "a lesion" if key == "any_lesion" else "a prior treatment"
        return f"{noun} where {self.render(arg, nested=True)}"

    def comparison(self, cond):
        name = cond["fact"]
        op = next(key for key in cond if key != "fact")
        value = cond[op]
        if name in self.derived and name not in KNOWN:
            return self.derived_fact(name, value)
        words, unit, decimals = _fact_words(name)
        if op == "is":
            return f"{words} is {'yes' if value else 'no'}"
        if isinstance(value, list):
            shown = ", ".join(self.value(v) for v in value)
        else:
            shown = self.value(value, decimals)
        return f"{words} {WORDS[op]} {shown}{f' {unit}' if unit else ''}"

    def derived_fact(self, name, value):
        words = NAMES.get(name, name.replace("_", " "))
        definition = self.derived.get(name)
        if definition:
            words = f"{words} ({self.render(definition)})"
        return words if value else f"not {words}"

    def value(self, value, decimals=None):
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float) and decimals:
            return f"{value:.{decimals}f}"
        if isinstance(value, str):
            return self.labels.get(value, value.replace("_", " "))
        return str(value)


def _fact_words(name):
    """Return (words, unit, decimals) for a fact name: corrected_calcium_mmol_l -> mmol/L."""
    for suffix, unit, decimals in UNITS:
        if name.endswith(suffix):
            return NAMES.get(name, name[: -len(suffix)].replace("_", " ")), unit, decimals
    return NAMES.get(name, name.replace("_", " ")), "", None
