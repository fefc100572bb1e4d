"""Rule review: per rule version, how often the options it decided were followed or
overridden, and why.

Read from the decisions clinicians record (options.consultation.decisions): each decision
names the rule that decided its option (options.DecisionRule) and the ruleset version the
advice was given under. A rule's decisions are never pooled across rulesets in which the
rule did something different: a rule version is the rule's code with what it does in that
ruleset (its effect, option, status and condition, with the definitions of the derived facts
it uses, so a changed hypocalcaemia threshold makes a new version of every rule that asks
"hypocalcaemia"). Rulesets in which a rule read the same share one version, and so one
count. Every figure comes from grouped queries: none per decision.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from options.choices import label
from options.consultation.models import Decision, DecisionRule
from options.rules import ConditionError
from options.rules.plain import condition_plain
from options.rules.texts import TextError, render

from .engine_rules import define_conditions
from .models import Rule, RuleSet


@dataclass
class _Counts:
    """Decisions followed and overridden, with the reasons given, and the review flag."""

    followed: int = field(default=0, kw_only=True)
    overridden: int = field(default=0, kw_only=True)
    reasons: Counter = field(default_factory=Counter, kw_only=True)

    def add(self, followed: bool, n: int) -> None:
        if followed:
            self.followed += n
        else:
            self.overridden += n

    @property
    def total(self):
        return self.followed + self.overridden

    @property
    def reason_list(self):
        """Return [(reason, count)], most given first (templates cannot ask a Counter)."""
        return self.reasons.most_common()

    @property
    def overridden_share(self):
        return self.overridden / self.total if self.total else 0.0

    @property
    def flagged(self):
        """True when clinicians override it more than the set share, over enough decisions."""
        return (self.total >= settings.BONECARE_RULE_REVIEW_MIN_DECISIONS
                and self.overridden_share > settings.BONECARE_RULE_REVIEW_OVERRIDE_SHARE)


@dataclass
class RuleVersion(_Counts):
    """One version of a rule: what it did in the rulesets where it read the same, and the
    decisions on options it decided under those rulesets."""

    code: str
    key: str  # digest of what the rule does; "unknown:<ruleset>" when that is not stored
    rulesets: list = field(default_factory=list)  # ruleset versions, oldest first
    label: str = ""  # "2026.2–2026.3", consecutive rulesets joined
    rule: object = None  # the Rule row in the newest of those rulesets
    words: str = ""  # its condition in plain words, derived facts defined
    text: str = ""  # its text as clinicians read it, thresholds filled in
    months: list = field(default_factory=list)  # [(month, followed, overridden)], rule_months
    first: int = 0  # for ordering: when it was first seen

    @property
    def stored(self):
        return self.rule is not None


@dataclass
class RuleStats(_Counts):
    """One rule's decisions over all its versions; the flag is per version."""

    code: str
    rule: object = None  # the published Rule row, if the rule is still published
    text: str = ""  # its text as clinicians read it, thresholds filled in from its data
    versions: list = field(default_factory=list)  # RuleVersion with decisions, oldest first
    by_ruleset: dict = field(default_factory=dict)  # {ruleset version: RuleVersion}

    @property
    def flagged(self):
        """True when any version of the rule is flagged: the share is never pooled."""
        return any(version.flagged for version in self.versions)

    @property
    def worst_share(self):
        return max((v.overridden_share for v in self.versions), default=0.0)


def _facts(condition) -> set:
    """Return every fact a condition names, at any depth."""
    found, stack = set(), [condition]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("fact"), str):
                found.add(item["fact"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def rule_digest(rule: Rule, defines: dict) -> str:
    """Return a short digest of what a rule does as its ruleset reads it: its effect, option,
    status and condition (what it defines, for a define rule), and the definitions of the
    derived facts its condition uses, at any depth. Its words and priority are left out."""
    used, todo = {}, _facts(rule.condition)
    while todo:
        name = todo.pop()
        if name in defines and name not in used:
            used[name] = defines[name]
            todo |= _facts(defines[name])
    content = {"effect": rule.effect, "option": rule.option, "status": rule.status,
               "defines": rule.defines, "condition": rule.condition, "derived": used}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"),
                                     default=str).encode()).hexdigest()[:12]


def _spans(names, order) -> str:
    """Join ruleset versions into runs of consecutive ones: "2026.2–2026.3, 2026.5"."""
    position = {name: index for index, name in enumerate(order)}
    runs = []
    for name in sorted(names, key=lambda n: position.get(n, len(order))):
        if runs and name in position and position.get(runs[-1][-1]) == position[name] - 1:
            runs[-1].append(name)
        else:
            runs.append([name])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


def _words(rule, defines):
    try:
        return condition_plain(rule.condition, defines)
    except ConditionError as error:
        return f"(cannot be read: {error})"


def _text(rule, defines):
    try:
        return render(rule.text, rule.condition, defines)
    except TextError:
        return rule.text


def rule_versions(pairs) -> dict:
    """Return {(code, ruleset version): RuleVersion} for the (code, ruleset version) pairs
    decisions name; two queries whatever the number of decisions.

    The rulesets read are every one ever published and any other the pairs name, oldest
    first: a rule's version spans all those in which it read the same, decisions or not. A
    pair whose ruleset is not stored, or lacks the rule, is a version of its own.
    """
    pairs = set(pairs)
    codes = {code for code, _ in pairs}
    named = {version for _, version in pairs}
    rulesets = list(RuleSet.objects.filter(Q(published_at__isnull=False) | Q(version__in=named))
                    .order_by("created_at", "id").values_list("id", "version"))
    order = [version for _, version in rulesets]
    rows = {}
    for row in Rule.objects.filter(ruleset_id__in=[pk for pk, _ in rulesets]).filter(
            Q(code__in=codes) | Q(effect="define")):
        rows.setdefault(row.ruleset_id, []).append(row)
    versions, index, newest = {}, {}, {}
    for pk, ruleset in rulesets:
        in_ruleset = rows.get(pk, [])
        defines = {r.defines: r.condition for r in in_ruleset if r.effect == "define"}
        for rule in in_ruleset:
            if rule.code not in codes:
                continue
            key = rule_digest(rule, defines)
            version = versions.setdefault((rule.code, key),
                                          RuleVersion(rule.code, key, first=len(index)))
            version.rulesets.append(ruleset)
            newest[version.code, key] = (rule, defines)
            index[rule.code, ruleset] = version
    for (code, key), (rule, defines) in newest.items():
        version = versions[code, key]
        version.rule, version.words, version.text = rule, _words(rule, defines), _text(rule,
                                                                                      defines)
        version.label = _spans(version.rulesets, order)
    for code, ruleset in pairs - set(index):
        index[code, ruleset] = RuleVersion(code, f"unknown:{ruleset}", rulesets=[ruleset],
                                           label=ruleset, first=len(order) + len(index))
    return {pair: index[pair] for pair in pairs}


def _published_rules(codes):
    """Return {code: (row, text as read)} for the published ruleset's rules among codes."""
    published = RuleSet.objects.filter(state=RuleSet.PUBLISHED).first()
    if published is None:
        return {}
    defines = define_conditions(Rule.objects.filter(ruleset=published))
    return {rule.code: (rule, _text(rule, defines))
            for rule in Rule.objects.filter(ruleset=published, code__in=codes)}


def rule_stats(code: str | None = None) -> list[RuleStats]:
    """Return every rule that decisions cite (or the one `code`), each with its versions
    oldest first; flagged first, then the version most overridden. Seven queries."""
    cited = DecisionRule.objects.all() if code is None else DecisionRule.objects.filter(code=code)
    counts = list(cited.values("code", "decision__ruleset_version", "decision__followed")
                  .annotate(n=Count("id")))
    reasons = list(cited.filter(decision__followed=False).exclude(decision__reason_code="")
                   .values("code", "decision__ruleset_version", "decision__reason_code")
                   .annotate(n=Count("id")))
    index = rule_versions((row["code"], row["decision__ruleset_version"]) for row in counts)
    stats = {}
    for row in counts:
        entry = stats.setdefault(row["code"], RuleStats(row["code"]))
        version = index[row["code"], row["decision__ruleset_version"]]
        entry.by_ruleset[row["decision__ruleset_version"]] = version
        for counted in (entry, version):
            counted.add(row["decision__followed"], row["n"])
    for row in reasons:
        reason = label(row["decision__reason_code"])
        stats[row["code"]].reasons[reason] += row["n"]
        index[row["code"], row["decision__ruleset_version"]].reasons[reason] += row["n"]
    published = _published_rules(list(stats))
    for entry in stats.values():
        entry.rule, entry.text = published.get(entry.code, (None, ""))
        unique = {id(v): v for v in entry.by_ruleset.values()}.values()
        entry.versions = sorted(unique, key=lambda v: (v.first, v.label))
    return sorted(stats.values(), key=lambda s: (not s.flagged, -s.worst_share, -s.total,
                                                 s.code))


def _month_series(months: dict) -> list[tuple]:
    """Return {month: [followed, overridden]} as [(month, followed, overridden)], gaps filled."""
    if not months:
        return []
    first, last = min(months), max(months)
    series, month = [], first
    while month <= last:
        followed, overridden = months.get(month, (0, 0))
        series.append((month, followed, overridden))
        month = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return series


def rule_months(entry: RuleStats) -> list[tuple]:
    """Set each of a rule's versions' `months` to [(month, followed, overridden)], oldest
    first, gaps filled; return the same for all its versions together. One query."""
    rows = (DecisionRule.objects.filter(code=entry.code)
            .annotate(month=TruncMonth("decision__created_at"))
            .values("month", "decision__ruleset_version", "decision__followed")
            .annotate(n=Count("id")))
    every, per_version = {}, {}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        version = entry.by_ruleset.get(row["decision__ruleset_version"])
        for months in (every, per_version.setdefault(id(version), {})):
            counts = months.setdefault(month, [0, 0])
            counts[0 if row["decision__followed"] else 1] += row["n"]
    for version in entry.versions:
        version.months = _month_series(per_version.get(id(version), {}))
    return _month_series(every)


def rule_comments(entry: RuleStats, limit: int = 100) -> list[Decision]:
    """Return the decisions a rule decided that carry a reason or comment, newest first,
    each with `words` (what was decided), `reason_words` (why) and `rule_version` (the
    version of the rule it was about) for the page."""
    decisions = list(Decision.objects.filter(rules__code=entry.code)
                     .exclude(reason_code="", comment="", reason_text="")
                     .select_related("by").order_by("-created_at", "-id")[:limit])
    for decision in decisions:
        decision.words, decision.reason_words = decision_words(decision), reason_words(decision)
        decision.rule_version = entry.by_ruleset.get(decision.ruleset_version)
    return decisions


OUTCOME_WORDS = {"accepted": "Card accepted in the EHR", "overridden": "Card overridden in the EHR"}


def decision_words(decision: Decision) -> str:
    """Say what was decided, and against what advice, in words ("Going ahead against the
    advice; advised: contraindicated")."""
    words = OUTCOME_WORDS.get(decision.outcome, label(decision.outcome))
    if decision.outcome in ("going_ahead", "not_going_ahead") and not decision.followed:
        words += " against the advice"
    if decision.advised_status:
        words += f"; advised: {label(decision.advised_status).lower()}"
    return words


def reason_words(decision: Decision) -> str:
    """Say the reason once: its label, and the text given only where it adds something."""
    text, code = decision.reason_text, decision.reason_code
    if code == "other_reason" and text:
        return f"Other reason: {text}"
    if not code:
        return text
    if text and text.casefold() != label(code).casefold():
        return f"{label(code)}: {text}"
    return label(code)


def decisions_for_export():
    """Yield (decision, code, RuleVersion) for the rule each decision counts for, newest
    first; the decision carries its clinician (`by`). Three queries and one per 2,000 rows."""
    pairs = DecisionRule.objects.values_list("code", "decision__ruleset_version").distinct()
    index = rule_versions(pairs)
    rows = DecisionRule.objects.select_related("decision__by").order_by(
        "-decision__created_at", "-decision_id", "code")
    for row in rows.iterator(chunk_size=2000):
        yield row.decision, row.code, index[row.code, row.decision.ruleset_version]
