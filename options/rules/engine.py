"""Evaluate an assessment against a compiled ruleset; every decision explains itself."""

import json
from dataclasses import dataclass, field

from .assessment import PATIENT_FIELD_NAMES, lesion_facts, prior_facts
from .conditions import TRUE, ConditionError, Parser
from .derive import creatinine_clearance
from .texts import TextError, render
from .vocab import ACTIVE_STATUSES, ALERT_SEVERITIES, OPTIONS, SAFETY_FIELDS, STATUSES

EFFECTS = ("status", "safety", "hold", "criterion", "condition", "caution", "note", "alert",
           "define")
STATUS_EFFECTS = ("status", "safety")
GLOBAL_EFFECTS = ("status", "alert", "define")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule as data: when `condition` holds, `effect` applies to `option`."""

    code: str
    effect: str
    condition: dict
    text: str
    guidance: str
    option: str = ""
    status: str = ""
    priority: int = 100
    section: str = ""
    patient_text: str = ""
    alert_code: str = ""
    alert_severity: str = ""
    defines: str = ""
    temporary: bool = False  # a safety stop that lifts once its cause is corrected
    editor_note: str = ""  # for editors only; never in a result


class RuleError(ValueError):
    """A rule that cannot be compiled; `field` names the rule field at fault."""

    def __init__(self, code, field, message):
        super().__init__(f"{code}: {field}: {message}")
        self.code = code
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    predicate: object
    when: object = None
    reason: dict = field(default_factory=dict)
    test: object = None  # predicate(facts) -> (value, missing, lesions), once per assessment


def _once(predicate, condition):
    """Wrap a predicate so each distinct condition is evaluated once per assessment.

    VP and BKP, for one, ask the same questions; an unconditional rule asks none.
    """
    if condition == {"always": True}:
        return lambda facts: TRUE
    key = json.dumps(condition, sort_keys=True)

    def test(facts):
        memo = facts.memo
        result = memo.get(key)
        if result is None:
            result = memo[key] = predicate(facts, None)
        return result

    return test


def check_rule_fields(rule):
    """Raise RuleError if the rule's effect lacks what it needs or has what it must not."""
    _check_effect_fields(rule)
    if not rule.text.strip():
        raise RuleError(rule.code, "text", "every rule says what it means to a clinician")
    if not rule.guidance:
        raise RuleError(rule.code, "guidance", "every rule names its source")


def _check_effect_fields(rule):
    if rule.effect not in EFFECTS:
        raise RuleError(rule.code, "effect", f"must be one of {', '.join(EFFECTS)}")
    if rule.option and rule.option not in OPTIONS:
        raise RuleError(rule.code, "option", f"must be blank or one of {', '.join(OPTIONS)}")
    if not rule.option and rule.effect not in GLOBAL_EFFECTS:
        raise RuleError(rule.code, "option", f"a {rule.effect} rule must name its option")
    if rule.effect in STATUS_EFFECTS and rule.status not in STATUSES:
        raise RuleError(rule.code, "status", f"a {rule.effect} rule needs a status")
    if rule.effect not in STATUS_EFFECTS and rule.status:
        raise RuleError(rule.code, "status", f"a {rule.effect} rule sets no status")
    if rule.effect == "alert" and (not rule.alert_code or rule.alert_severity not in
                                   ALERT_SEVERITIES):
        raise RuleError(rule.code, "alert_severity", "an alert needs a code and a severity")
    if rule.temporary and rule.effect != "safety":
        raise RuleError(rule.code, "temporary", "only a safety rule can be a temporary stop")
    if rule.effect == "define" and not rule.defines.isidentifier():
        raise RuleError(rule.code, "defines", "a define rule names the fact it defines")


def compile_rule(rule, parser):
    """Check one rule and compile its condition; raise RuleError naming the field."""
    check_rule_fields(rule)
    try:
        if rule.effect == "criterion":
            when, predicate = parser.compile_criterion(rule.condition)
            if when is not None:
                when = _once(when, {"when": rule.condition["when"]})
        else:
            when, predicate = None, parser.compile(rule.condition)
    except ConditionError as error:
        raise RuleError(rule.code, error.path, error.message) from error
    reason = {"rule": rule.code, "guidance": rule.guidance, "section": rule.section,
              **_rendered_texts(rule, parser)}
    return _Compiled(rule, predicate, when, reason, _once(predicate, rule.condition))


def _rendered_texts(rule, parser):
    """Return the rule's texts with every threshold filled in from its conditions."""
    texts = {}
    for name in ("text", "patient_text"):
        try:
            value = render(getattr(rule, name), rule.condition, parser.derived)
        except TextError as error:
            raise RuleError(rule.code, name, str(error)) from error
        if value:
            texts[name] = value
    return texts


class CompiledRuleSet:
    """A ruleset compiled once: predicates grouped by option and effect, in priority order."""

    def __init__(self, rules, *, version, published_at=None):
        self.version = version
        self.published_at = published_at
        ordered = sorted(rules, key=lambda r: (r.priority, r.code))
        _check_unique_codes(ordered)
        parser = Parser()
        self.defines = {}
        for rule in (r for r in ordered if r.effect == "define"):
            if rule.defines in self.defines:
                raise RuleError(rule.code, "defines", f"{rule.defines!r} is defined twice")
            self.defines[rule.defines] = compile_rule(rule, parser)
            parser.derived[rule.defines] = rule.condition
        compiled = [compile_rule(r, parser) for r in ordered if r.effect != "define"]
        self.alerts = [c for c in compiled if c.rule.effect == "alert"]
        self.by_option = {
            option: {
                effect: [c for c in compiled if c.rule.effect == effect and (
                    c.rule.option == option or (not c.rule.option and effect == "status"))]
                for effect in EFFECTS
            }
            for option in OPTIONS
        }
        for rules in self.by_option.values():
            # Cautions about uncertainty (a score range that straddles a threshold) stand
            # whatever the option's status, except where the option does not apply.
            rules["uncertainty"] = [c for c in rules["caution"] if "unknown" in c.rule.condition]

    @property
    def header(self):
        return {"version": self.version, "published_at": self.published_at}


def _check_unique_codes(rules):
    seen = set()
    for rule in rules:
        if rule.code in seen:
            raise RuleError(rule.code, "code", "rule codes must be unique in a ruleset")
        seen.add(rule.code)


class Facts:
    """What the rules may ask of one assessment, with derived facts computed once."""

    __slots__ = ("patient", "derived", "lesions", "scores", "priors", "_defines", "cache",
                 "memo")

    def __init__(self, assessment, defines):
        patient = {name: getattr(assessment, name) for name in PATIENT_FIELD_NAMES}
        self.derived = {}
        clearance, derivation = creatinine_clearance(patient)
        patient["creatinine_clearance_ml_min"] = clearance
        if derivation is not None:
            self.derived["creatinine_clearance_ml_min"] = derivation
        if patient["sex"] == "male":
            patient["pregnant"] = False  # known, never asked (clinical/rules.md)
        self.patient = patient
        lesions = assessment.lesions or ()
        self.scores = [lesion.score() for lesion in lesions]
        self.lesions = None if assessment.lesions is None else [
            (i, lesion_facts(i, lesion, score))
            for i, (lesion, score) in enumerate(zip(lesions, self.scores, strict=True))
        ]
        priors = assessment.prior_treatments
        self.priors = None if priors is None else [
            (i, prior_facts(prior)) for i, prior in enumerate(priors)
        ]
        self._defines = defines
        self.cache = {}
        self.memo = {}

    def derive(self, name):
        """Evaluate a derived fact once per assessment."""
        result = self.cache[name] = self._defines[name].predicate(self, None)
        return result


def evaluate(assessment, ruleset):
    """Return the contract's result for one assessment under one compiled ruleset."""
    facts = Facts(assessment, ruleset.defines)
    return {
        "ruleset": ruleset.header,
        "options": [_decide(option, ruleset.by_option[option], facts) for option in OPTIONS],
        "alerts": _alerts(ruleset.alerts, facts),
        "scores": [score.as_result(i) for i, score in enumerate(facts.scores)
                   if score is not None],
        "derived": facts.derived,
    }


def _split_missing(paths):
    safety = [p for p in paths if p in SAFETY_FIELDS]
    return safety, [p for p in paths if p not in SAFETY_FIELDS]


def _eligibility(chain, facts):
    """Run the status chain: the first rule that holds decides.

    Returns the deciding rule (or None), its lesions, the rules before it that could not be
    decided (with their eligibility paths), and the unknown safety inputs met on the way.
    """
    unknown, safety_missing = [], []
    for compiled in chain:
        value, missing, matched = compiled.test(facts)
        if value is True:
            return compiled, matched, unknown, safety_missing
        if value is None:
            safety, other = _split_missing(missing)
            if other:
                unknown.append((compiled, other))
            else:
                safety_missing.extend(safety)
    return None, (), unknown, safety_missing


NO_RULE = {"rule": "NO-RULE", "guidance": "", "section": "",
           "text": "No rule in this ruleset supports this option for this patient."}


class _Stops:
    """The safety rules that hold for one option, and the safety inputs still unknown."""

    __slots__ = ("holding", "missing")

    def __init__(self, safety_rules, facts):
        self.holding, self.missing = [], []
        for compiled in safety_rules:  # empty for an option that cannot stand

            value, paths, _ = compiled.test(facts)
            if value is True:
                self.holding.append(compiled)
            elif value is None:
                self.missing.extend(paths)

    def final(self, status):
        """Return the status once the safety rules have spoken."""
        if status in ACTIVE_STATUSES and self.holding:
            return self.holding[0].rule.status
        return status


def _decide(option, rules, facts):
    decided, lesions, unknown, missing = _eligibility(rules["status"], facts)
    status = decided.rule.status if decided else "not_recommended"
    could_stand = status in ACTIVE_STATUSES or any(
        c.rule.status in ACTIVE_STATUSES for c, _ in unknown)
    stops = _Stops(rules["safety"] if could_stand else (), facts)
    candidates = {stops.final(c.rule.status) for c, _ in unknown} | {stops.final(status)}
    if len(candidates) > 1:  # the final status hinges on an unknown eligibility input
        return _undecided(option, rules, facts, unknown)
    reasons = [decided.reason if decided else NO_RULE]
    decided_by = reasons[0]["rule"]
    reasons += [c.reason for c in stops.holding]
    final = stops.final(status)
    not_now = []
    if final != status:
        decided_by = stops.holding[0].rule.code
        if stops.holding[0].rule.temporary:
            not_now = [c.reason for c in stops.holding if c.rule.temporary]
    active = final in ACTIVE_STATUSES
    if active:
        missing += stops.missing
        holds = _holds(rules["hold"], facts, missing)
        reasons += holds
        not_now += holds
    else:
        missing = []  # safety inputs matter only for an option that stands
    return _option_result(option, rules, facts, status=final, decided_by=decided_by,
                          hold=active and bool(not_now), reasons=reasons, not_now=not_now,
                          missing=missing, lesions=lesions)


def _undecided(option, rules, facts, unknown):
    missing = _unique(p for _, paths in unknown for p in paths)
    return _option_result(option, rules, facts, status="needs_information", decided_by=None,
                          hold=False, reasons=[c.reason for c, _ in unknown], not_now=[],
                          missing=missing, lesions=())


def _option_result(option, rules, facts, *, status, decided_by, hold, reasons, not_now,
                   missing, lesions):
    active = status in ACTIVE_STATUSES
    applies = status != "not_applicable"
    criteria = _criteria(rules["criterion"], facts, missing if active else None) if (
        applies) else []
    cautions = rules["caution"] if active else rules["uncertainty"] if applies else ()
    return {
        "option": option,
        "status": status,
        "hold": hold,
        "summary": _summary(status, decided_by, reasons, not_now, missing),
        "decided_by": decided_by,
        "not_now": not_now,
        "reasons": reasons,
        "criteria": criteria,
        "conditions": _texts(rules["condition"], facts) if active else [],
        "cautions": _texts(cautions, facts),
        "notes": _texts(rules["note"], facts),
        "missing": _unique(missing),
        "lesions": sorted(set(lesions)) if status != "needs_information" else [],
    }


def _holds(hold_rules, facts, missing):
    """Return the reasons of the hold rules that hold; list unknown inputs in `missing`."""
    holding = []
    for compiled in hold_rules:
        value, paths, _ = compiled.test(facts)
        if value is True:
            holding.append(compiled.reason)
        elif value is None:
            missing.extend(paths)
    return holding


def _criteria(criterion_rules, facts, missing):
    shown = []
    for compiled in criterion_rules:
        if compiled.when is not None and compiled.when(facts)[0] is False:
            continue
        value, paths, _ = compiled.test(facts)
        shown.append({**compiled.reason, "met": value})
        if value is None and missing is not None:
            missing.extend(paths)
    return shown


def _texts(rules, facts):
    return [c.reason["text"] for c in rules if c.test(facts)[0] is True]


def _summary(status, decided_by, reasons, not_now, missing):
    if status == "needs_information":
        return "Cannot decide until this is known: " + ", ".join(_unique(missing)) + "."
    if not_now and not_now[0]["rule"] == decided_by:  # a temporary safety stop
        return "Not now: " + " ".join(r["text"] for r in not_now)
    text = next(r["text"] for r in reasons if r["rule"] == decided_by)
    if not_now:
        return f"{text} Not now: " + " ".join(r["text"] for r in not_now)
    return text


def _alerts(alert_rules, facts):
    alerts = []
    for compiled in alert_rules:
        if compiled.test(facts)[0] is True:
            rule = compiled.rule
            alerts.append({"code": rule.alert_code, "severity": rule.alert_severity,
                           **compiled.reason})
    return alerts


def _unique(items):
    return list(dict.fromkeys(items))
