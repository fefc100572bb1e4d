"""The closed condition vocabulary: parse rule JSON into three-valued predicates.

A condition is JSON, never code:

    {"always": true}
    {"all": [C, ...]}   {"any": [C, ...]}   {"not": C}
    {"fact": NAME, OP: VALUE}    OP: eq ne in not_in lt le gt ge is
    {"any_lesion": C}   C asked of each lesion (lesion facts, then patient facts)
    {"any_prior": C}    C asked of each prior treatment
    {"unknown": C}      true when C cannot be decided from what is known (never unknown
                        itself): a caution or condition about uncertainty, such as a
                        score range that straddles a threshold

A criterion may also be {"when": C, "met": C}: shown only where `when` is not false.

The Parser checks a condition against the vocabulary at compile time, naming the path of
any mistake, and builds its three-valued predicate from options/rules/predicates.py.
"""

from collections.abc import Mapping

from .predicates import (
    FALSE,
    NONE,
    QUANTIFIERS,
    TRUE,
    Predicate,
    all_of,
    any_of,
    comparison_test,
    derived_fact,
    item_all,
    item_any,
    item_fact,
    negation,
    patient_fact,
    patient_junction,
    unknown_of,
)
from .vocab import LESION_FACTS, PATIENT_FACTS, PRIOR_FACTS

__all__ = ["FALSE", "NONE", "TRUE", "ConditionError", "Parser", "settled"]

COMPARISONS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "is")
ORDERED = ("lt", "le", "gt", "ge")
SCOPE_FACTS = {"patient": PATIENT_FACTS, "lesion": LESION_FACTS, "prior": PRIOR_FACTS}
Condition = dict[str, object]  # a condition as JSON


class ConditionError(ValueError):
    """A rule condition outside the vocabulary; `path` says where in the JSON."""

    def __init__(self, path, message):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class Parser:
    """Compile conditions against the facts known to one ruleset."""

    def __init__(self, derived=()):
        # Derived facts (from `define` rules) are booleans asked with "is"; each maps to its
        # define rule's condition (None where only the name is known), so that a rule's text
        # can name a threshold that its derived facts hold.
        self.derived = dict(derived) if isinstance(derived, dict) else dict.fromkeys(derived)

    def compile(self, cond: object, path: str = "condition", scope: str = "patient"
                ) -> Predicate:
        """Return a predicate for `cond`, or raise ConditionError naming the path."""
        if not isinstance(cond, dict) or len(cond) == 0:
            raise ConditionError(path, "must be an object such as {\"fact\": ..., \"eq\": ...}")
        if "fact" in cond:
            return self._comparison(cond, path, scope)
        if len(cond) != 1:
            raise ConditionError(path, f"expected one key, got {sorted(cond)}")
        (key, arg), = cond.items()
        if key == "always":
            if arg is not True:
                raise ConditionError(f"{path}.always", "must be true")
            return lambda facts, item: TRUE
        if key in ("all", "any"):
            return self._junction(key, arg, path, scope)
        if key == "not":
            return negation(self.compile(arg, f"{path}.not", scope))
        if key == "unknown":
            return unknown_of(self.compile(arg, f"{path}.unknown", scope))
        if key in QUANTIFIERS:
            return self._quantifier(key, arg, path, scope)
        raise ConditionError(
            path,
            f"unknown operator {key!r}; allowed: all, any, not, fact, any_lesion, any_prior, "
            "unknown, always",
        )

    def _quantifier(self, key, arg, path, scope):
        if scope != "patient":
            raise ConditionError(path, f"{key} can only be used at patient level")
        inner_scope, make = QUANTIFIERS[key]
        return make(self.compile(arg, f"{path}.{key}", inner_scope))

    def compile_criterion(self, cond: object, path: str = "condition"
                          ) -> tuple[Predicate | None, Predicate]:
        """Return (when, met) predicates; `when` is None for an unconditional criterion."""
        if isinstance(cond, dict) and "met" in cond:
            extra = set(cond) - {"when", "met"}
            if extra:
                raise ConditionError(path, f"unexpected keys {sorted(extra)} beside when/met")
            when = self.compile(cond["when"], f"{path}.when") if "when" in cond else None
            return when, self.compile(cond["met"], f"{path}.met")
        return None, self.compile(cond, path)

    def _junction(self, key, arg, path, scope):
        if not isinstance(arg, list) or not arg:
            raise ConditionError(f"{path}.{key}", "must be a non-empty list of conditions")
        parts = tuple(
            self.compile(sub, f"{path}.{key}[{i}]", scope) for i, sub in enumerate(arg)
        )
        if all(hasattr(part, "patient_test") for part in parts):
            tests = tuple(part.patient_test for part in parts)
            return patient_junction(tests, decisive=key == "any")
        if all(hasattr(part, "item_test") for part in parts):
            tests = tuple(part.item_test for part in parts)
            return item_all(tests) if key == "all" else item_any(tests)
        return all_of(parts) if key == "all" else any_of(parts)

    def _comparison(self, cond, path, scope):
        name = cond["fact"]
        ops = [key for key in cond if key != "fact"]
        if len(ops) != 1 or ops[0] not in COMPARISONS:
            raise ConditionError(
                path, f"a fact needs exactly one comparison from {', '.join(COMPARISONS)}"
            )
        op, value = ops[0], cond[ops[0]]
        kind, where = self._fact_kind(name, path, scope)
        _check_value(kind, op, value, f"{path}.{op}")
        test = comparison_test(op, value)
        if where == "derived":
            return derived_fact(name, test)
        if where == "patient":
            return patient_fact(name, test)
        return item_fact(name, test, where)

    def _fact_kind(self, name, path, scope):
        facts = SCOPE_FACTS[scope]
        if name in facts:
            return facts[name], scope
        if name in PATIENT_FACTS:
            return PATIENT_FACTS[name], "patient"
        if name in self.derived:
            return ("bool",), "derived"
        known = sorted(set(facts) | set(PATIENT_FACTS) | set(self.derived))
        raise ConditionError(f"{path}.fact", f"unknown fact {name!r}; known: {', '.join(known)}")


def settled(cond: Condition, fact: str, value: object,
            derived: Mapping[str, Condition | None] | None = None) -> bool | None:
    """Return True or False where `cond` is decided by the patient `fact` alone, else None.

    Used once per ruleset to drop, for each cancer type, the rules that cannot hold: a false
    part decides an `all`, a true part an `any`, as at evaluate time; a derived fact is
    settled by its definition (`derived`: name -> condition). Anything else (another fact, a
    lesion or prior, `unknown`) leaves the answer open.
    """
    if cond.get("always") is True:
        return True
    name = cond.get("fact")
    if name == fact or (derived and derived.get(name)):
        known = value if name == fact else settled(derived[name], fact, value, derived)
        op = next(key for key in cond if key != "fact")
        return None if known is None else bool(comparison_test(op, cond[op])(known))
    if "not" in cond:
        inner = settled(cond["not"], fact, value, derived)
        return None if inner is None else not inner
    if "all" in cond or "any" in cond:
        return _settled_junction(cond, fact, value, derived)
    return None


def _settled_junction(cond, fact, value, derived):
    key = "all" if "all" in cond else "any"
    answers = {settled(part, fact, value, derived) for part in cond[key]}
    decisive = key == "any"  # true decides an any, false an all
    if decisive in answers:
        return decisive
    return None if None in answers else not decisive


def _check_value(kind, op, value, path):
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise ConditionError(path, "must be a non-empty list")
        for i, item in enumerate(value):
            _check_scalar(kind, item, f"{path}[{i}]")
        return
    if op in ORDERED and kind[0] not in ("int", "number"):
        raise ConditionError(path, f"{op} needs a numeric fact")
    if op == "is" and kind[0] != "bool":
        raise ConditionError(path, "is needs a true/false fact")
    _check_scalar(kind, value, path)


def _check_scalar(kind, value, path):
    if kind[0] == "enum":
        if value not in kind[1]:
            raise ConditionError(path, f"{value!r} is not one of {', '.join(kind[1])}")
    elif kind[0] == "bool":
        if not isinstance(value, bool):
            raise ConditionError(path, "must be true or false")
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise ConditionError(path, "must be a number")
    elif not kind[1] <= value <= kind[2]:
        raise ConditionError(path, f"must be between {kind[1]} and {kind[2]}")


