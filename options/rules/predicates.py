"""The predicates a parsed condition becomes: what runs on every evaluation.

Each takes (facts, item) and returns (value, missing, lesions): value is True, False or None
(unknown); missing names the unknown inputs by contract path; lesions are the indexes of the
lesions that made an any_lesion true. Kleene logic: false wins an `all`, true wins an `any`,
so an unknown only matters where it could change the answer. conditions.Parser builds them
and checks the rule data first; where several facts can be asked in one closure ("inline"),
it gives the same answers with fewer calls.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from .assessment import NOT_APPLICABLE, Possible

if TYPE_CHECKING:
    from .facts import Facts

# A three-valued answer: (True, False or None; the missing inputs; the lesions matched).
Answer = tuple[bool | None, tuple[str, ...], tuple[int, ...]]
# What a predicate is asked of: None at patient level, else (index, facts) of one lesion
# or prior treatment.
Item = tuple[int, dict[str, object]] | None
Predicate = Callable[["Facts", Item], Answer]
Test = Callable[[object], bool]  # a comparison with its rule value, asked of one fact
PatientTest = tuple[str, Test]  # (fact, test)
ItemTest = tuple[str, Test, str]  # (fact, test, collection)

NONE = ()
TRUE = (True, NONE, NONE)
FALSE = (False, NONE, NONE)


def comparison_test(op: str, value: object) -> Test:
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


def patient_fact(name: str, test: Test, negated: bool = False) -> Predicate:
    """Return a patient fact's test (or its negation, asked inline: fewer calls)."""
    unknown = (None, (name,), NONE)
    yes, no = (FALSE, TRUE) if negated else (TRUE, FALSE)

    def predicate(facts, item):
        v = facts.patient[name]
        if v is None:
            return unknown
        return yes if test(v) else no

    if not negated:
        predicate.patient_test = (name, test)  # lets an all/any of such facts ask them inline
    return predicate


def item_fact(name: str, test: Test, scope: str) -> Predicate:
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


def derived_fact(name: str, test: Test, negated: bool = False) -> Predicate:
    """Return a derived fact's test (or its negation, asked inline: fewer calls)."""
    yes, no = (FALSE, TRUE) if negated else (TRUE, FALSE)

    def predicate(facts, item):
        result = facts.cache.get(name) or facts.derive(name)
        if result[0] is None:
            return (None, result[1], NONE)
        return yes if test(result[0]) else no

    if not negated:
        predicate.derived_test = (name, test)  # lets a not ask it inline
    return predicate


def all_of(parts: tuple[Predicate, ...]) -> Predicate:
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


def any_of(parts: tuple[Predicate, ...]) -> Predicate:
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


def negation(part: Predicate) -> Predicate:
    if hasattr(part, "patient_test"):
        return patient_fact(*part.patient_test, negated=True)
    if hasattr(part, "derived_test"):
        return derived_fact(*part.derived_test, negated=True)

    def predicate(facts, item):
        value, missing, _ = part(facts, item)
        if value is None:
            return (None, missing, NONE)
        return FALSE if value else TRUE

    return predicate


def item_all(tests: tuple[ItemTest, ...]) -> Predicate:
    """Return all_of over one lesion's or prior's facts: the same answers, fewer calls."""

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


def item_any(tests: tuple[ItemTest, ...]) -> Predicate:
    """Return any_of over one lesion's or prior's facts: the same answers, fewer calls."""

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


def patient_junction(tests: tuple[PatientTest, ...], decisive: bool) -> Predicate:
    """Return an all (decisive False) or any (decisive True) of patient facts, asked inline:
    the same answers as all_of or any_of, fewer calls."""
    decided, otherwise = (TRUE, FALSE) if decisive else (FALSE, TRUE)

    def predicate(facts, item):
        patient = facts.patient
        missing = None
        for name, test in tests:
            v = patient[name]
            if v is None:
                missing = (name,) if missing is None else missing + (name,)
            elif test(v) is decisive:
                return decided
        return otherwise if missing is None else (None, missing, NONE)

    return predicate


def unknown_of(part: Predicate) -> Predicate:
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
