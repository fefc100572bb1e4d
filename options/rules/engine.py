"""Evaluate an assessment against a compiled ruleset; every decision explains itself."""

import dataclasses
import itertools
import re
from collections.abc import Iterable, Iterator

from .assessment import Assessment
from .compiled import EFFECTS, CompiledRuleSet, Rule, RuleError, compile_rule
from .facts import Facts
from .vocab import (
    ACTIVE_STATUSES,
    LESION_FACTS,
    LESION_FIELD_SITES,
    LESION_FIELDS_ENTERED,
    REQUIRED_LESION_FIELDS,
    SAFETY_FIELDS,
)

__all__ = ["EFFECTS", "CompiledRuleSet", "Facts", "Rule", "RuleError", "compile_rule",
           "evaluate"]

NO_RULE = {"rule": "NO-RULE", "guidance": "", "section": "",
           "text": "No rule in this ruleset supports this option for this patient."}


def _ask(facts, slot, predicate):
    """Answer a condition not yet asked in this evaluation, and keep the answer."""
    result = facts.memo[slot] = predicate(facts, None)
    return result


def evaluate(assessment: Assessment, ruleset: CompiledRuleSet) -> dict:
    """Return the contract's result for one assessment under one compiled ruleset.

    Walks the plans compiled for the assessment's cancer type, each condition asked at most
    once. Reasons, criteria, alerts and score entries are shared between results: read-only.
    """
    plans, alerts, blank = ruleset.plans_by_cancer.get(assessment.cancer_type, ruleset.plans)
    facts = Facts(assessment, ruleset.defines, blank)
    options = [_decide(plan, facts) for plan in plans]
    for index, option in enumerate(options):
        if option["status"] == "needs_information":
            options[index] = _settled(plans[index], assessment, ruleset, blank, option)
    return {
        "ruleset": ruleset.header,
        "options": options,
        "alerts": _alerts(alerts, facts),
        "scores": facts.scores,
        "derived": facts.derived,
    }


# Three-valued logic treats two conditions on the same unknown finding as independent
# unknowns ("SINS 12 or less" and "collapse present" both hang on collapse), so an option could
# be asked about a finding whose every value gives the same status. When an option needs
# only lesion findings, it is decided over their joint values instead: exact, and bounded.
_FINDING_PATH = re.compile(r"^lesions\[(\d+)\]\.(\w+)$")
MAX_COMPLETIONS = 5_000
SETTLED_CAUTION = ("Decided although some imaging findings are not reported: every value "
                   "they could take gives this advice.")


def _unknown_findings(lesion):
    """Return [(field, its possible values)] of a lesion's findings not reported."""
    required = REQUIRED_LESION_FIELDS.get(lesion.site, ())
    found = []
    for name in LESION_FIELDS_ENTERED:
        if (name in required or lesion.site not in LESION_FIELD_SITES[name]
                or getattr(lesion, name) is not None):
            continue
        kind = LESION_FACTS[name]
        found.append((name, (True, False) if kind[0] == "bool" else kind[1]))
    return found


def completions(assessment: Assessment, indexes: Iterable[int]) -> Iterator[Assessment]:
    """Yield the assessment with every joint value of the named lesions' unknown findings."""
    lesions = assessment.lesions
    slots = [(i, name, values) for i in sorted(set(indexes))
             for name, values in _unknown_findings(lesions[i])]
    for combination in itertools.product(*(values for _, _, values in slots)):
        changed = list(lesions)
        for (i, name, _), value in zip(slots, combination, strict=True):
            changed[i] = dataclasses.replace(changed[i], **{name: value})
        yield dataclasses.replace(assessment, lesions=tuple(changed))


def _completion_count(lesions):
    count = 1
    for lesion in lesions:
        for _, values in _unknown_findings(lesion):
            count *= len(values)
    return count


def _settled(plan, assessment, ruleset, blank, undecided):
    """Return the option decided over the joint values of the unknown lesion findings, when
    it needs nothing else and every value gives the same status and hold; else `undecided`."""
    paths = undecided["missing"]
    if not paths or assessment.lesions is None or not all(map(_FINDING_PATH.match, paths)):
        return undecided
    # Every lesion's unknown findings, not only those named: once one is settled, a rule may
    # go on to ask another lesion's.
    if _completion_count(assessment.lesions) > MAX_COMPLETIONS:
        return undecided
    seen = []
    for completed in completions(assessment, range(len(assessment.lesions))):
        option = _decide(plan, Facts(completed, ruleset.defines, blank))
        if seen and (option["status"], option["hold"]) != (seen[0]["status"], seen[0]["hold"]):
            return undecided
        seen.append(option)
    return _agreed(seen, undecided)


def _agreed(seen, undecided):
    """Return the one decision every completion gave, said without the unknown findings."""
    first = seen[0]
    deciders = unique(option["decided_by"] for option in seen)
    reasons = list({r["rule"]: r for option in seen for r in option["reasons"]}.values())
    lesions = set.intersection(*(set(option["lesions"]) for option in seen))
    one = len(deciders) == 1
    return {
        **first,
        "decided_by": deciders[0] if one else None,
        "summary": first["summary"] if one else " ".join(
            r["text"] for r in reasons if r["rule"] in deciders),
        "reasons": reasons,
        "criteria": undecided["criteria"],
        "missing": unique(p for option in seen for p in option["missing"]),
        "lesions": sorted(lesions),
        "cautions": [*first["cautions"], SETTLED_CAUTION],
    }


def unique(items: Iterable[str]) -> list:
    """Return the items once each, in the order first met (missing inputs are listed so)."""
    return list(dict.fromkeys(items))


def _summary(status, decided_by, reasons, not_now, missing):
    """Return the one-line summary of a decision that its first reason does not say alone."""
    if status == "needs_information":
        return "Cannot decide until this is known: " + ", ".join(unique(missing)) + "."
    if not_now and not_now[0]["rule"] == decided_by:  # a temporary safety stop
        return "Not now: " + " ".join(r["text"] for r in not_now)
    first = reasons[0]
    text = first["text"] if first["rule"] == decided_by else next(
        r["text"] for r in reasons if r["rule"] == decided_by)
    if not_now:
        return f"{text} Not now: " + " ".join(r["text"] for r in not_now)
    return text


def _eligibility(chain, facts):
    """Run the status chain: the first rule that holds decides.

    Returns the deciding rule (or None), its lesions, the rules before it that could not be
    decided (with their eligibility paths), and the unknown safety inputs met on the way.
    """
    memo = facts.memo
    unknown, safety_missing = [], []
    for slot, predicate, compiled in chain:
        result = memo[slot]
        if result is None:  # asked here rather than through _ask: the hottest loop
            result = memo[slot] = predicate(facts, None)
        value, missing, matched = result
        if value is True:
            return compiled, matched, unknown, safety_missing
        if value is None:
            other = [p for p in missing if p not in SAFETY_FIELDS]
            if other:
                unknown.append((compiled, other))
            else:
                safety_missing.extend(missing)
    return None, (), unknown, safety_missing


def _holding(rules, facts, missing):
    """Return what each rule that holds carries (its plan entry's third item).

    The inputs of rules that cannot be decided go into `missing`; safety and hold rules only
    ever ask safety inputs, which leave a status standing.
    """
    holding = []
    memo = facts.memo
    for slot, predicate, carried in rules:
        value, paths, _ = memo[slot] or _ask(facts, slot, predicate)
        if value is True:
            holding.append(carried)
        elif value is None:
            missing.extend(paths)
    return holding


def _final(status, holding):
    """Return the status once the safety rules have spoken."""
    if holding and status in ACTIVE_STATUSES:
        return holding[0].rule.status
    return status


def _could_stand(status, unknown):
    if status in ACTIVE_STATUSES:
        return True
    for compiled, _ in unknown:
        if compiled.rule.status in ACTIVE_STATUSES:
            return True
    return False


def _decide(plan, facts):
    decided, lesions, unknown, missing = _eligibility(plan.status, facts)
    status = decided.rule.status if decided else "not_recommended"
    if not unknown and status not in ACTIVE_STATUSES:  # settled, and it cannot stand
        reason = decided.reason if decided else NO_RULE
        return _option_result(plan, facts, status, reason["rule"], False, [reason], [], [],
                              lesions)
    if _could_stand(status, unknown):  # safety rules are asked only of an option that could
        safety_missing = []
        holding = _holding(plan.safety, facts, safety_missing)
    else:
        holding = safety_missing = ()
    final = _final(status, holding)
    if unknown and any(_final(c.rule.status, holding) != final for c, _ in unknown):
        return _undecided(plan, facts, unknown)  # the status hinges on an unknown input
    reason = decided.reason if decided else NO_RULE
    decided_by = reason["rule"]
    reasons = [reason, *(c.reason for c in holding)] if holding else [reason]
    not_now = []
    if final != status:
        decided_by = holding[0].rule.code
        if holding[0].rule.temporary:
            not_now = [c.reason for c in holding if c.rule.temporary]
    if final in ACTIVE_STATUSES:
        missing += safety_missing
        holds = _holding(plan.hold, facts, missing)
        reasons += holds
        not_now += holds
        return _option_result(plan, facts, final, decided_by, bool(not_now), reasons, not_now,
                              missing, lesions)
    # Safety inputs matter only for an option that stands.
    return _option_result(plan, facts, final, decided_by, False, reasons, not_now, [], lesions)


def _undecided(plan, facts, unknown):
    missing = unique(p for _, paths in unknown for p in paths)
    return _option_result(plan, facts, "needs_information", None, False,
                          [c.reason for c, _ in unknown], [], missing, ())


def _option_result(plan, facts, status, decided_by, hold, reasons, not_now, missing, lesions):
    if status in ACTIVE_STATUSES:
        criteria = _criteria(plan.criteria, facts, missing)
        conditions = _texts(plan.conditions, facts)
        cautions = plan.cautions
    else:
        applies = status != "not_applicable"
        criteria = _criteria(plan.criteria, facts, None) if applies else []
        conditions = []
        cautions = plan.uncertainty if applies else ()
    return {
        "option": plan.option,
        "status": status,
        "hold": hold,
        "summary": _summary(status, decided_by, reasons, not_now, missing) if (
            not_now or status == "needs_information" or reasons[0]["rule"] != decided_by)
        else reasons[0]["text"],
        "decided_by": decided_by,
        "not_now": not_now,
        "reasons": reasons,
        "criteria": criteria,
        "conditions": conditions,
        "cautions": _texts(cautions, facts) if cautions else [],
        "notes": _texts(plan.notes, facts) if plan.notes else [],
        "missing": unique(missing) if missing else [],
        "lesions": sorted(set(lesions)) if lesions and status != "needs_information" else [],
    }


def _criteria(criteria, facts, missing):
    shown = []
    memo = facts.memo
    for when_slot, when, slot, predicate, entries in criteria:
        if when is not None and (memo[when_slot] or _ask(facts, when_slot, when))[0] is False:
            continue
        result = memo[slot]
        if result is None:
            result = memo[slot] = predicate(facts, None)
        value, paths, _ = result
        shown.append(entries[value])
        if value is None and missing is not None:
            missing.extend(paths)
    return shown


def _texts(entries, facts):
    shown = []
    if entries:
        memo = facts.memo
        for slot, predicate, text in entries:
            result = memo[slot]
            if result is None:
                result = memo[slot] = predicate(facts, None)
            if result[0] is True:
                shown.append(text)
    return shown


_alerts = _texts  # an alert's entry is shown as a text is: when its condition holds

