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

Each compiled predicate takes (facts, item) and returns (value, missing, lesions): value is
True, False or None (unknown); missing names the unknown inputs by contract path; lesions
are the indexes of the lesions that made an any_lesion true. Kleene logic: false wins an
`all`, true wins an `any`, so an unknown only matters where it could change the answer.
"""

import operator
from functools import partial

from .assessment import NOT_APPLICABLE, Possible
from .vocab import LESION_FACTS, PATIENT_FACTS, PRIOR_FACTS

NONE = ()
TRUE = (True, NONE, NONE)
FALSE = (False, NONE, NONE)

COMPARISONS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "is")
ORDERED = ("lt", "le", "gt", "ge")
SCOPE_FACTS = {"patient": PATIENT_FACTS, "lesion": LESION_FACTS, "prior": PRIOR_FACTS}


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

    def compile(self, cond, path="condition", scope="patient"):
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
            return _negate(self.compile(arg, f"{path}.not", scope))
        if key == "unknown":
            return _unknown(self.compile(arg, f"{path}.unknown", scope))
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

    def compile_criterion(self, cond, path="condition"):
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
            return _all_patient(tests) if key == "all" else _any_patient(tests)
        if all(hasattr(part, "item_test") for part in parts):
            tests = tuple(part.item_test for part in parts)
            return _all_item(tests) if key == "all" else _any_item(tests)
        return _all(parts) if key == "all" else _any(parts)

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
        test = _test(op, value)
        if where == "derived":
            return _derived(name, test)
        if where == "patient":
            return _patient_fact(name, test)
        return _item_fact(name, test, where)

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


def settled(cond, fact, value, derived=None):
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
        return None if known is None else bool(_test(op, cond[op])(known))
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


def _test(op, value):
    """Return a one-argument test; C-level callables keep the hot path cheap."""
    if op in ("eq", "is"):
        return partial(operator.eq, value)
    if op == "ne":
        return partial(operator.ne, value)
    if op == "in":
        return frozenset(value).__contains__
    if op == "not_in":
        excluded = frozenset(value)
        return lambda v: v not in excluded
    # value OP' v is v OP value with the comparison mirrored.
    mirrored = {"lt": operator.gt, "le": operator.ge, "gt": operator.lt, "ge": operator.le}
    return partial(mirrored[op], value)


def _patient_fact(name, test):
    unknown = (None, (name,), NONE)

    def predicate(facts, item):
        v = facts.patient[name]
        if v is None:
            return unknown
        return TRUE if test(v) else FALSE

    predicate.patient_test = (name, test)  # lets an all/any of such facts ask them inline
    return predicate


def _item_fact(name, test, scope):
    collection = "lesions" if scope == "lesion" else "prior_treatments"

    def predicate(facts, item):
        return _item_value(item, name, test, collection)

    predicate.item_test = (name, test, collection)  # lets any_lesion ask it inline
    return predicate


def _item_value(item, name, test, collection):
    index, values = item
    v = values[name]
    if v is NOT_APPLICABLE:
        return FALSE
    if v is None:
        return (None, (f"{collection}[{index}].{name}",), NONE)
    if v.__class__ is Possible:
        answers = {bool(test(value)) for value in v.values}
        if len(answers) == 1:
            return TRUE if answers.pop() else FALSE
        return (None, v.missing, NONE)
    return TRUE if test(v) else FALSE


def _derived(name, test):
    def predicate(facts, item):
        result = facts.cache.get(name) or facts.derive(name)
        if result[0] is None:
            return (None, result[1], NONE)
        return TRUE if test(result[0]) else FALSE

    predicate.derived_test = (name, test)  # lets a not ask it inline
    return predicate


def _all(parts):
    def predicate(facts, item):
        missing = lesions = None
        for part in parts:
            result = part(facts, item)
            value = result[0]
            if value is False:
                return FALSE
            if value is None:
                missing = result[1] if missing is None else missing + result[1]
            elif result[2]:
                lesions = result[2] if lesions is None else lesions + result[2]
        if missing is not None:
            return (None, missing, NONE)
        if lesions is not None:
            return (True, NONE, lesions)
        return TRUE

    return predicate


def _any(parts):
    def predicate(facts, item):
        missing = None
        for part in parts:
            result = part(facts, item)
            if result[0] is True:
                return result
            if result[0] is None:
                missing = result[1] if missing is None else missing + result[1]
        if missing is not None:
            return (None, missing, NONE)
        return FALSE

    return predicate


def _negate(part):
    if hasattr(part, "patient_test"):
        return _negate_patient(*part.patient_test)
    if hasattr(part, "derived_test"):
        return _negate_derived(*part.derived_test)

    def predicate(facts, item):
        value, missing, _ = part(facts, item)
        if value is None:
            return (None, missing, NONE)
        return FALSE if value else TRUE

    return predicate


def _negate_patient(name, test):
    """Return not of one patient fact, asked inline: the same answers, fewer calls."""
    unknown = (None, (name,), NONE)

    def predicate(facts, item):
        v = facts.patient[name]
        if v is None:
            return unknown
        return FALSE if test(v) else TRUE

    return predicate


def _negate_derived(name, test):
    """Return not of one derived fact, asked inline: the same answers, fewer calls."""

    def predicate(facts, item):
        result = facts.cache.get(name) or facts.derive(name)
        if result[0] is None:
            return (None, result[1], NONE)
        return FALSE if test(result[0]) else TRUE

    return predicate


def _all_item(tests):
    """Return _all over one lesion's or prior's facts: the same answers, fewer calls."""

    def predicate(facts, item):
        missing = None
        values = item[1]
        for name, test, collection in tests:
            v = values[name]
            if v is not None and v is not NOT_APPLICABLE and v.__class__ is not Possible:
                if test(v):  # known: tested here
                    continue
                return FALSE
            result = _item_value(item, name, test, collection)
            if result is FALSE:
                return FALSE
            if result[0] is None:
                missing = result[1] if missing is None else missing + result[1]
        return TRUE if missing is None else (None, missing, NONE)

    return predicate


def _any_item(tests):
    """Return _any over one lesion's or prior's facts: the same answers, fewer calls."""

    def predicate(facts, item):
        missing = None
        for name, test, collection in tests:
            result = _item_value(item, name, test, collection)
            if result is TRUE:
                return TRUE
            if result[0] is None:
                missing = result[1] if missing is None else missing + result[1]
        return FALSE if missing is None else (None, missing, NONE)

    return predicate


def _all_patient(tests):
    """Return _all over patient facts, asked inline: the same answers, fewer calls."""

    def predicate(facts, item):
        patient = facts.patient
        missing = None
        for name, test in tests:
            v = patient[name]
            if v is None:
                missing = (name,) if missing is None else missing + (name,)
            elif not test(v):
                return FALSE
        return TRUE if missing is None else (None, missing, NONE)

    return predicate


def _any_patient(tests):
    """Return _any over patient facts, asked inline: the same answers, fewer calls."""

    def predicate(facts, item):
        patient = facts.patient
        missing = None
        for name, test in tests:
            v = patient[name]
            if v is None:
                missing = (name,) if missing is None else missing + (name,)
            elif test(v):
                return TRUE
        return FALSE if missing is None else (None, missing, NONE)

    return predicate


def _unknown(part):
    def predicate(facts, item):
        return TRUE if part(facts, item)[0] is None else FALSE

    return predicate


def _any_lesion(part):
    if hasattr(part, "item_test"):
        return _any_lesion_fact(*part.item_test)

    def predicate(facts, item):
        if facts.lesions is None:
            return (None, ("lesions",), NONE)
        missing = []
        matched = []
        for lesion in facts.lesions:
            value, lesion_missing, _ = part(facts, lesion)
            if value is True:
                matched.append(lesion[0])
            elif value is None:
                missing.extend(lesion_missing)
        if matched:
            return (True, NONE, tuple(matched))
        if missing:
            return (None, tuple(missing), NONE)
        return FALSE

    return predicate


def _any_lesion_fact(name, test, collection):
    """Return any_lesion over one lesion fact, asked inline: the same answers, fewer calls."""

    def predicate(facts, item):
        if facts.lesions is None:
            return (None, ("lesions",), NONE)
        missing = matched = None
        for lesion in facts.lesions:
            v = lesion[1][name]
            if v is NOT_APPLICABLE:
                continue
            if v is not None and v.__class__ is not Possible:  # known: test it here
                if test(v):
                    matched = (lesion[0],) if matched is None else matched + (lesion[0],)
                continue
            value, lesion_missing, _ = _item_value(lesion, name, test, collection)
            if value is True:
                matched = (lesion[0],) if matched is None else matched + (lesion[0],)
            elif value is None:
                missing = lesion_missing if missing is None else missing + lesion_missing
        if matched is not None:
            return (True, NONE, matched)
        return FALSE if missing is None else (None, missing, NONE)

    return predicate


def _any_prior(part):
    def predicate(facts, item):
        if facts.priors is None:
            return (None, ("prior_treatments",), NONE)
        missing = []
        for prior in facts.priors:
            value, prior_missing, _ = part(facts, prior)
            if value is True:
                return TRUE
            if value is None:
                missing.extend(prior_missing)
        if missing:
            return (None, tuple(missing), NONE)
        return FALSE

    return predicate


QUANTIFIERS = {"any_lesion": ("lesion", _any_lesion), "any_prior": ("prior", _any_prior)}
