"""Rule review pages for guidance editors: which rules clinicians follow or override, and why."""

import csv

from django.conf import settings
from django.http import Http404, StreamingHttpResponse

from options.choices import label

from ..rule_review import decisions_for_export, rule_comments, rule_months, rule_stats
from .chart import decisions_chart
from .views import ConsoleViews

CSV_HEADER = ("recorded_at", "rule_code", "option", "source", "outcome", "followed",
              "advised_status", "reason_code", "reason", "reason_text", "comment",
              "ruleset_version")


class _Echo:
    """A file-like object whose write returns the line, for a streamed CSV."""

    def write(self, value):
        return value


def _csv_safe(value):
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class RuleReviewViews(ConsoleViews):
    """The list of rules with their decisions, one rule's chart and comments, the CSV."""

    def _thresholds(self):
        return {"share": settings.BONECARE_RULE_REVIEW_OVERRIDE_SHARE,
                "minimum": settings.BONECARE_RULE_REVIEW_MIN_DECISIONS}

    def index(self, request):
        self.require(request, "view")
        stats = rule_stats()
        return self.render(request, "rule/review.html", self.context(
            request, "Rule review: clinicians' decisions", stats=stats,
            flagged=[s for s in stats if s.flagged], thresholds=self._thresholds()))

    def detail(self, request, code):
        self.require(request, "view")
        entry = next((s for s in rule_stats() if s.code == code), None)
        if entry is None:
            raise Http404("No decision cites this rule")
        months = rule_months(code)
        return self.render(request, "rule/review_rule.html", self.context(
            request, f"Rule review: {code}", entry=entry, months=months,
            chart=decisions_chart(months, title=f"Decisions on options {code} decided, by month"),
            comments=rule_comments(code), thresholds=self._thresholds()))

    def export(self, request):
        self.require(request, "view")
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(CSV_HEADER)
            for decision, code in decisions_for_export():
                yield writer.writerow([_csv_safe(value) for value in (
                    decision.created_at.isoformat(), code, decision.option, decision.source,
                    decision.outcome, "yes" if decision.followed else "no",
                    decision.advised_status, decision.reason_code,
                    label(decision.reason_code) if decision.reason_code else "",
                    decision.reason_text, decision.comment, decision.ruleset_version)])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="rule-review.csv"'
        return response
