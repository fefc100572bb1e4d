"""Rule review: per rule, how often the options it decided were followed or overridden, and
why.

Read from the decisions clinicians record (options.consultation.decisions): each decision
names the rule that decided its option (options.DecisionRule), so counting per rule is one
grouped query.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncMonth

from options.choices import label
from options.consultation.models import Decision, DecisionRule
from options.rules.texts import TextError, render

from .engine_rules import define_conditions
from .models import Rule, RuleSet


@dataclass
class RuleStats:
    """One rule's decisions: followed, overridden, and whether that needs a review."""

    code: str
    followed: int = 0
    overridden: int = 0
    rule: object = None  # the published Rule row, if the rule is still published
    text: str = ""  # its text as clinicians read it, thresholds filled in from its data
    reasons: Counter = field(default_factory=Counter)

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


def _published_rules(codes):
    """Return {code: (row, text as read)} for the published ruleset's rules among codes."""
    published = RuleSet.objects.filter(state=RuleSet.PUBLISHED).first()
    if published is None:
        return {}
    defines = define_conditions(Rule.objects.filter(ruleset=published))
    rules = {}
    for rule in Rule.objects.filter(ruleset=published, code__in=codes):
        try:
            rules[rule.code] = (rule, render(rule.text, rule.condition, defines))
        except TextError:
            rules[rule.code] = (rule, rule.text)
    return rules


def rule_stats() -> list[RuleStats]:
    """Return every rule that decisions cite, flagged first, then most overridden; 5 queries."""
    stats = {}
    for row in DecisionRule.objects.values("code", "decision__followed").annotate(n=Count("id")):
        entry = stats.setdefault(row["code"], RuleStats(row["code"]))
        if row["decision__followed"]:
            entry.followed += row["n"]
        else:
            entry.overridden += row["n"]
    reasons = DecisionRule.objects.filter(decision__followed=False).exclude(
        decision__reason_code="").values("code", "decision__reason_code").annotate(
        n=Count("id"))
    for row in reasons:
        stats[row["code"]].reasons[label(row["decision__reason_code"])] += row["n"]
    rules = _published_rules(list(stats))
    for code, entry in stats.items():
        entry.rule, entry.text = rules.get(code, (None, ""))
    return sorted(stats.values(), key=lambda s: (not s.flagged, -s.overridden_share,
                                                 -s.total, s.code))


def rule_months(code: str) -> list[tuple]:
    """Return [(month, followed, overridden)] for one rule, oldest first, gaps filled."""
    rows = (DecisionRule.objects.filter(code=code)
            .annotate(month=TruncMonth("decision__created_at"))
            .values("month", "decision__followed").annotate(n=Count("id")))
    months = {}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        counts = months.setdefault(month, [0, 0])
        counts[0 if row["decision__followed"] else 1] += row["n"]
    if not months:
        return []
    first, last = min(months), max(months)
    series, month = [], first
    while month <= last:
        followed, overridden = months.get(month, (0, 0))
        series.append((month, followed, overridden))
        month = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return series


def rule_comments(code: str, limit: int = 100) -> list[Decision]:
    """Return the decisions a rule decided that carry a reason or comment, newest first,
    each with `words` (what was decided) and `reason_words` (why) for the page."""
    decisions = list(Decision.objects.filter(rules__code=code)
                     .exclude(reason_code="", comment="", reason_text="")
                     .select_related("by").order_by("-created_at", "-id")[:limit])
    for decision in decisions:
        decision.words, decision.reason_words = decision_words(decision), reason_words(decision)
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
    """Yield (decision, code) for every rule each decision cites, newest first."""
    rows = DecisionRule.objects.select_related("decision").order_by(
        "-decision__created_at", "-decision_id", "code")
    for row in rows.iterator(chunk_size=2000):
        yield row.decision, row.code
