from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import GuidanceDocument, Rule, RuleSet, Scenario


@admin.register(GuidanceDocument)
class GuidanceDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "last_reviewed", "next_review_due", "review_overdue"]
    search_fields = ["code", "title"]

    @admin.display(boolean=True, description="Review overdue")
    def review_overdue(self, obj):
        return obj.review_overdue


@admin.register(RuleSet)
class RuleSetAdmin(SimpleHistoryAdmin):
    list_display = ["version", "state", "published_at", "published_by"]
    list_filter = ["state"]
    search_fields = ["version", "title"]


@admin.register(Rule)
class RuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "option", "effect", "status", "priority", "ruleset"]
    list_filter = ["ruleset", "option", "effect"]
    search_fields = ["code", "text"]
    list_select_related = ["ruleset"]


@admin.register(Scenario)
class ScenarioAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "source"]
    list_filter = ["source"]
    search_fields = ["code", "title"]
