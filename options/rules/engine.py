"""Evaluate an assessment against a compiled ruleset; every decision explains itself."""

import json
from dataclasses import dataclass, field

from .assessment import PATIENT_FIELD_NAMES, lesion_facts, prior_facts
from .conditions import TRUE, ConditionError, Parser
from .scores import mirels_band, sins_band
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
    if rule.effect == "define" and not rule.defines.isidentifier():
        raise RuleError(rule.code, "defines", "a define rule names the fact it defines")
    if not rule.text.strip():
        raise RuleError(rule.code, "text", "every rule says what it means to a clinician")
    if not rule.guidance:
        raise RuleError(rule.code, "guidance", "every rule names its source")


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
              "text": rule.text}
    return _Compiled(rule, predicate, when, reason, _once(predicate, rule.condition))


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
            parser.derived.add(rule.defines)
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

    __slots__ = ("patient", "lesions", "priors", "_defines", "cache", "memo")

    def __init__(self, assessment, defines):
        self.patient = {name: getattr(assessment, name) for name in PATIENT_FIELD_NAMES}
        lesions = assessment.lesions
        self.lesions = None if lesions is None else [
            (i, lesion_facts(lesion)) for i, lesion in enumerate(lesions)
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
        "scores": _scores(assessment),
    }


def _split_missing(paths):
    safety = [p for p in paths if p in SAFETY_FIELDS]
    return safety, [p for p in paths if p not in SAFETY_FIELDS]


def _eligibility(chain, facts):
    """First rule that holds decides; an unknown decides only if the answer could differ."""
    unknown, safety_missing = [], []
    decided, lesions = None, ()
    for compiled in chain:
        value, missing, matched = compiled.test(facts)
        if value is True:
            decided, lesions = compiled, matched
            break
        if value is None:
            safety, other = _split_missing(missing)
            if other:
                unknown.append((compiled, missing))
            else:
                safety_missing.extend(safety)
    if unknown:
        final = decided.rule.status if decided else None
        if any(compiled.rule.status != final for compiled, _ in unknown):
            return None, (), unknown, safety_missing
    return decided, lesions, [], safety_missing


NO_RULE = {"rule": "NO-RULE", "guidance": "", "section": "",
           "text": "No rule in this ruleset supports this option for this patient."}


def _decide(option, rules, facts):
    decided, lesions, unknown, missing = _eligibility(rules["status"], facts)
    hold = False
    if unknown:
        status = "needs_information"
        reasons = [c.reason for c, _ in unknown]
        missing = _unique(p for _, paths in unknown for p in paths)
    else:
        status = decided.rule.status if decided else "not_recommended"
        reasons = [decided.reason if decided else NO_RULE]
    if status in ACTIVE_STATUSES:
        status = _safety(rules["safety"], facts, status, reasons, missing)
    active = status in ACTIVE_STATUSES
    if active:
        hold = _holds(rules["hold"], facts, reasons, missing)
    elif status != "needs_information":
        missing = []  # safety inputs matter only for an option that stands
    criteria = [] if status == "not_applicable" else _criteria(
        rules["criterion"], facts, missing if active else None)
    return {
        "option": option,
        "status": status,
        "hold": hold,
        "summary": _summary(status, hold, reasons, missing),
        "reasons": reasons,
        "criteria": criteria,
        "conditions": _texts(rules["condition"], facts) if active else [],
        "cautions": _texts(rules["caution"], facts) if active else [],
        "notes": _texts(rules["note"], facts),
        "missing": _unique(missing),
        "lesions": sorted(set(lesions)) if status != "needs_information" else [],
    }


def _safety(safety_rules, facts, status, reasons, missing):
    """Let the first safety stop that holds override; list unknown safety inputs."""
    for compiled in safety_rules:
        value, paths, _ = compiled.test(facts)
        if value is True:
            reasons.append(compiled.reason)
            return compiled.rule.status
        if value is None:
            missing.extend(paths)
    return status


def _holds(hold_rules, facts, reasons, missing):
    hold = False
    for compiled in hold_rules:
        value, paths, _ = compiled.test(facts)
        if value is True:
            hold = True
            reasons.append(compiled.reason)
        elif value is None:
            missing.extend(paths)
    return hold


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
    return [c.rule.text for c in rules if c.test(facts)[0] is True]


def _summary(status, hold, reasons, missing):
    if status == "needs_information":
        return "Cannot decide until this is known: " + ", ".join(_unique(missing)) + "."
    text = reasons[-1]["text"]
    if hold:
        return f"{reasons[0]['text']} Hold: {text}"
    return text


def _alerts(alert_rules, facts):
    alerts = []
    for compiled in alert_rules:
        if compiled.test(facts)[0] is True:
            rule = compiled.rule
            alerts.append({"code": rule.alert_code, "severity": rule.alert_severity,
                           "text": rule.text, "guidance": rule.guidance,
                           "section": rule.section, "rule": rule.code})
    return alerts


def _scores(assessment):
    scores = []
    for index, lesion in enumerate(assessment.lesions or ()):
        score = lesion.sins
        if score is not None:
            scores.append({"lesion": index, "sins": score, "sins_band": sins_band(score)})
        score = lesion.mirels
        if score is not None:
            scores.append({"lesion": index, "mirels": score, "mirels_band": mirels_band(score)})
    return scores


def _unique(items):
    return list(dict.fromkeys(items))
