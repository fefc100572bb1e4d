"""Compile a ruleset once: check each rule, parse its condition, render its texts, and plan
per cancer type which rules can matter, so that evaluation does only what is left."""

import json
from dataclasses import dataclass, field
from functools import partial

from .conditions import FALSE, TRUE, ConditionError, Parser, settled
from .texts import TextError, render
from .vocab import ALERT_SEVERITIES, CANCER_TYPES, OPTIONS, STATUSES

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
    bonecare_default: bool = False  # BoneCare's choice where the guidance is silent or unclear
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
    slot: int = 0  # where one evaluation keeps the condition's answer (see _Slots)
    when_slot: int = 0
    shown: dict = field(default_factory=dict)  # a criterion's entry by its met value


class _Slots:
    """Number each distinct condition, so that one evaluation asks it once.

    VP and BKP, for one, ask the same questions. An evaluation keeps its answers in a list
    indexed by slot, where an unconditional rule's answer is filled in before it starts.
    """

    def __init__(self):
        self.index = {}
        self.always = set()

    def __call__(self, condition):
        key = json.dumps(condition, sort_keys=True)  # at compile time only
        slot = self.index.setdefault(key, len(self.index))
        if condition == {"always": True}:
            self.always.add(slot)
        return slot

    def blank(self):
        """Return the answers an evaluation starts from."""
        return [TRUE if slot in self.always else None for slot in range(len(self.index))]


def check_rule_fields(rule: Rule) -> None:
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


def compile_rule(rule: Rule, parser: Parser, slots: "_Slots | None" = None) -> _Compiled:
    """Check one rule and compile its condition; raise RuleError naming the field."""
    check_rule_fields(rule)
    slots = slots or _Slots()
    try:
        if rule.effect == "criterion":
            when, predicate = parser.compile_criterion(rule.condition)
            when_slot = slots({"when": rule.condition["when"]}) if when is not None else 0
        else:
            when, when_slot, predicate = None, 0, parser.compile(rule.condition)
    except ConditionError as error:
        raise RuleError(rule.code, error.path, error.message) from error
    reason = {"rule": rule.code, "guidance": rule.guidance, "section": rule.section,
              **_rendered_texts(rule, parser)}
    shown = {met: {**reason, "met": met} for met in (True, False, None)}
    return _Compiled(rule, predicate, when, reason, slots(rule.condition), when_slot, shown)


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
        parser, slots = Parser(), _Slots()
        self.defines = {}
        for rule in (r for r in ordered if r.effect == "define"):
            if rule.defines in self.defines:
                raise RuleError(rule.code, "defines", f"{rule.defines!r} is defined twice")
            self.defines[rule.defines] = compile_rule(rule, parser, slots)
            parser.derived[rule.defines] = rule.condition
        compiled = [compile_rule(r, parser, slots) for r in ordered if r.effect != "define"]
        self.alerts = [c for c in compiled if c.rule.effect == "alert"]
        # Rules that are BoneCare's own choice where the guidance is silent or unclear: shown
        # to clinicians as such wherever their text is.
        self.bonecare_defaults = frozenset(r.code for r in ordered if r.bonecare_default)
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
        self.blank = slots.blank()
        self.plans = self._plans(_unsettled, compiled)
        # Every assessment names its cancer type: per type, the rules that cannot hold for it
        # are left out, and the answers that it settles filled in, before any assessment.
        self.plans_by_cancer = {
            cancer: self._plans(partial(_settled_by_cancer, cancer, parser.derived), compiled)
            for cancer in CANCER_TYPES}

    def _plans(self, answer, compiled):
        """Return (option plans, alert entries, first answers) for one kind of assessment."""
        alerts = [c for c in self.alerts if answer(c.rule.condition) is not False]
        blank = list(self.blank)
        for c in compiled:
            _settle(blank, c.slot, answer(c.rule.condition))
            if c.when is not None:
                _settle(blank, c.when_slot, answer(c.rule.condition["when"]))
        return (tuple(_Plan(option, rules, answer) for option, rules in self.by_option.items()),
                _entries(alerts, _alert), blank)

    @property
    def header(self) -> dict[str, object]:
        return {"version": self.version, "published_at": self.published_at}


def _entries(compiled, payload):
    """Return (slot, predicate, payload) per rule: what the hot path unpacks."""
    return tuple((c.slot, c.predicate, payload(c)) for c in compiled)


def _text(compiled):
    return compiled.reason["text"]


def _alert(compiled):
    rule = compiled.rule
    return {"code": rule.alert_code, "severity": rule.alert_severity, **compiled.reason}


def _settle(blank, slot, settled_to):
    """Fill in an answer known before evaluation: what evaluation would find, exactly."""
    if settled_to is not None:
        blank[slot] = TRUE if settled_to else FALSE


def _unsettled(condition):
    return True if condition == {"always": True} else None


def _settled_by_cancer(cancer_type, derived, condition):
    """Return True or False if every patient with this cancer type gives that answer."""
    return settled(condition, "cancer_type", cancer_type, derived)


def _chain(status_rules, answer):
    """Return the status rules that may decide: none that cannot hold, none after one that must.

    The first rule that holds decides, so a rule after one that always holds is never reached.
    """
    chain = []
    for compiled in status_rules:
        settled_to = answer(compiled.rule.condition)
        if settled_to is not False:
            chain.append(compiled)
        if settled_to is True:
            break
    return chain


class _Plan:
    """One option's rules, compiled for evaluation; the shown dicts are shared, read-only."""

    __slots__ = ("option", "status", "safety", "hold", "criteria", "conditions", "cautions",
                 "uncertainty", "notes")

    def __init__(self, option, rules, answer):
        self.option = option
        kept = {effect: [c for c in rules[effect] if answer(c.rule.condition) is not False]
                for effect in ("safety", "hold", "condition", "caution", "uncertainty", "note")}
        self.status = _entries(_chain(rules["status"], answer), _itself)
        self.safety = _entries(kept["safety"], _itself)
        self.hold = _entries(kept["hold"], lambda c: c.reason)
        self.criteria = tuple((c.when_slot, c.when, c.slot, c.predicate, c.shown)
                              for c in rules["criterion"]
                              if c.when is None or answer(c.rule.condition["when"]) is not False)
        self.conditions = _entries(kept["condition"], _text)
        self.cautions = _entries(kept["caution"], _text)
        self.uncertainty = _entries(kept["uncertainty"], _text)
        self.notes = _entries(kept["note"], _text)


def _itself(compiled):
    return compiled


def _check_unique_codes(rules):
    seen = set()
    for rule in rules:
        if rule.code in seen:
            raise RuleError(rule.code, "code", "rule codes must be unique in a ruleset")
        seen.add(rule.code)


