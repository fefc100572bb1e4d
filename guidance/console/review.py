"""Rule review pages for guidance editors: which rules clinicians follow or override, and why."""

import csv

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone

from options.choices import label

from ..rule_review import decisions_for_export, rule_comments, rule_months, rule_stats
from .chart import decisions_chart
from .views import ConsoleViews

CSV_HEADER = ("recorded_at", "decision_date", "consultation_id", "clinician", "rule_code",
              "rule_version", "rule_digest", "option", "source", "outcome", "followed",
              "advised_status", "reason_code", "reason", "reason_text", "comment",
              "ruleset_version")


class _Echo:
    """A file-like object whose write returns the line, for a streamed CSV."""

    def write(self, value):
        return value


def _clinician(decision):
    """Who decided: the clinician's username, or the EHR client's name for CDS Hooks."""
    if decision.by is not None:
        return decision.by.get_username()
    return decision.client_name


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
        versions = sorted((v for s in stats for v in s.versions), key=lambda v: (
            not v.flagged, -v.overridden_share, -v.total, v.code, v.first))
        return self.render(request, "rule/review.html", self.context(
            request, "Rule review: clinicians' decisions", stats=stats, versions=versions,
            flagged=[v for v in versions if v.flagged], thresholds=self._thresholds()))

    def detail(self, request, code):
        self.require(request, "view")
        entry = next(iter(rule_stats(code)), None)
        if entry is None:
            raise Http404("No decision cites this rule")
        rule_months(entry)
        for version in entry.versions:
            version.chart = decisions_chart(version.months, title=(
                f"Decisions on options {code} as in {version.label} decided, by month"))
        return self.render(request, "rule/review_rule.html", self.context(
            request, f"Rule review: {code}", entry=entry, comments=rule_comments(entry),
            thresholds=self._thresholds()))

    def export(self, request):
        self.require(request, "view")
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(CSV_HEADER)
            for decision, code, version in decisions_for_export():
                yield writer.writerow([_csv_safe(value) for value in (
                    decision.created_at.isoformat(),
                    timezone.localdate(decision.created_at).isoformat(),
                    decision.consultation_id or "", _clinician(decision), code, version.label,
                    "" if version.key.startswith("unknown:") else version.key,
                    decision.option, decision.source,
                    decision.outcome, "yes" if decision.followed else "no",
                    decision.advised_status, decision.reason_code,
                    label(decision.reason_code) if decision.reason_code else "",
                    decision.reason_text, decision.comment, decision.ruleset_version)])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="rule-review.csv"'
        return response
