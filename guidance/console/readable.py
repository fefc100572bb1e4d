"""What the scenario and governance-audit admins show in words instead of stored codes:
a scenario's expectations ("Denosumab: not applicable", not `not_applicable`), an audit
row's action and outcome ("Submitted for review", "Refused")."""

from django.contrib import admin

from options.choices import label

from ..actions import action_words, outcome_words
from ..codes import SYSTEM_NAMES
from ..models import GovernanceEvent
from .words import (
    codes_in_words,
    derived_in_words,
    missing_in_words,
    options_in_words,
    scores_in_words,
    statuses_in_words,
)

# A scenario's expectation fields, each with how it reads.
EXPECTATION_WORDS = {
    "expected": statuses_in_words,
    "expected_hold": options_in_words,
    "expected_alerts": codes_in_words,
    "expected_scores": scores_in_words,
    "expected_missing": missing_in_words,
    "expected_derived": derived_in_words,
}


class ExpectationsInWords:
    """A scenario's expectations in words on its page, in the list and in its history."""

    expectation_shown = [f"{name}_in_words" for name in EXPECTATION_WORDS]

    @admin.display(description="Expected")
    def expected_in_words(self, obj):
        return statuses_in_words(obj.expected)

    @admin.display(description="Expected on hold")
    def expected_hold_in_words(self, obj):
        return options_in_words(obj.expected_hold)

    @admin.display(description="Expected alerts")
    def expected_alerts_in_words(self, obj):
        return codes_in_words(obj.expected_alerts)

    @admin.display(description="Expected scores")
    def expected_scores_in_words(self, obj):
        return scores_in_words(obj.expected_scores)

    @admin.display(description="Expected missing inputs")
    def expected_missing_in_words(self, obj):
        return missing_in_words(obj.expected_missing)

    @admin.display(description="Expected calculations")
    def expected_derived_in_words(self, obj):
        return derived_in_words(obj.expected_derived)

    @admin.display(description="Source", ordering="source")
    def source_in_words(self, obj):
        return obj.get_source_display()

    def history_value_words(self, record, field, value):
        if field.name in EXPECTATION_WORDS:
            return EXPECTATION_WORDS[field.name](value)
        return super().history_value_words(record, field, value)


class SystemFilter(admin.SimpleListFilter):
    """FHIR codes by code system, each by its name (SNOMED CT), not its URI."""

    title = "code system"
    parameter_name = "system"

    def lookups(self, request, model_admin):
        return list(SYSTEM_NAMES.items())

    def queryset(self, request, queryset):
        return queryset.filter(system=self.value()) if self.value() else queryset


class GuidanceCodeFilter(admin.SimpleListFilter):
    """Rules by the guidance they cite, each document once (CG75), whatever the ruleset."""

    title = "guidance"
    parameter_name = "guidance_code"

    def lookups(self, request, model_admin):
        codes = model_admin.model.objects.order_by("guidance__code").values_list(
            "guidance__code", flat=True).distinct()
        return [(code, code) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(guidance__code=self.value()) if self.value() else queryset


def system_name(system: str) -> str:
    """A code system by its name, or its URI where it has none."""
    return SYSTEM_NAMES.get(system, system)


class ActionFilter(admin.SimpleListFilter):
    """The audit by action, each named in words; only actions that happened are offered."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = GovernanceEvent.objects.order_by("action").values_list(
            "action", flat=True).distinct()
        return sorted(((action, action_words(action)) for action in actions),
                      key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("ok", outcome_words("ok")), ("refused", outcome_words("refused"))]

    def queryset(self, request, queryset):
        return queryset.filter(outcome=self.value()) if self.value() else queryset


class EventsInWords:
    """An audit row's action and outcome in words, in the list and on its own page."""

    list_filter = [ActionFilter, OutcomeFilter]

    @admin.display(description="Action", ordering="action")
    def action_in_words(self, obj):
        return action_words(obj.action)

    @admin.display(description="Outcome", ordering="outcome")
    def outcome_in_words(self, obj):
        return outcome_words(obj.outcome)


class PeopleByName:
    """Who made, published or did something, by name: not a link to their account, which is
    the IT administrator's page (and a 403 for everyone else)."""

    @admin.display(description="Created by", ordering="created_by")
    def created_by_name(self, obj):
        return obj.created_by or "-"

    @admin.display(description="Published by", ordering="published_by")
    def published_by_name(self, obj):
        return obj.published_by or "-"

    @admin.display(description="By", ordering="by")
    def by_name(self, obj):
        return obj.by or "-"


def vocabulary_words(value: str) -> str:
    """A vocabulary value as its label ("other_solid" is "Other solid tumour"); "true" and
    "false" as yes and no; empty as "-"."""
    if not value:
        return "-"
    return {"true": "Yes", "false": "No"}.get(value) or label(value)
