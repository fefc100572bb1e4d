"""The rules console: guidance editors change guidance, rules and scenarios here, audited."""

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.urls import path, re_path, reverse
from django.utils.html import format_html

from options.admin import NotFoundPageMixin, ReadOnlyAdminMixin
from options.rules import ConditionError
from options.rules.plain import condition_plain

from ..conversation import (
    review_conversation,
    review_latest_note,
    review_status,
    reviews_told,
)
from ..drafting import code_entry_save, document_save, ruleset_details_save
from ..models import (
    CodeListEntry,
    GovernanceEvent,
    GuidanceDocument,
    Publication,
    Rule,
    RuleSet,
    Scenario,
)
from ..selectors import define_names
from ..services import (
    PublishRefused,
    RuleSetReadOnly,
    StaleEdit,
    rule_delete,
    rule_save,
    ruleset_create_draft,
    scenario_delete,
    scenario_save,
)
from ..worklist import worklist_for
from . import governance as admin_governance
from . import review as admin_review
from . import views as admin_views
from .forms import (
    TEXT_HELP,
    CodeListEntryForm,
    DocumentForm,
    RuleAdminForm,
    ScenarioAddForm,
    ScenarioChangeForm,
    expectation_fields,
)
from .history import HistoryAdmin
from .readable import (
    EventsInWords,
    ExpectationsInWords,
    GuidanceCodeFilter,
    PeopleByName,
    SystemFilter,
    system_name,
    vocabulary_words,
)
from .words import as_code, mark


class ReviewStatusFilter(admin.SimpleListFilter):
    title = "review status"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Review overdue"), ("current", "Review not yet due"),
                ("none", "No review date")]

    def queryset(self, request, queryset):
        today = admin_views.today()
        if self.value() == "overdue":
            return queryset.filter(next_review_due__lt=today)
        if self.value() == "current":
            return queryset.filter(next_review_due__gte=today)
        if self.value() == "none":
            return queryset.filter(next_review_due__isnull=True)
        return queryset


class DraftContentAdmin(HistoryAdmin):
    """What a ruleset holds besides its rules: added and changed only in a draft, with a
    reason, through its service; never deleted (a published ruleset keeps what it cited)."""

    def get_readonly_fields(self, request, obj=None):
        return ["ruleset", "code"] if obj is not None else []

    def get_fields(self, request, obj=None):
        # A row that cannot change (not in a draft) asks for no reason.
        if obj is not None and not self.has_change_permission(request, obj):
            return [name for name in self.fields if name != "change_reason"]
        return self.fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.ruleset.state == RuleSet.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        self.content_save(obj, by=request.user, reason=form.cleaned_data["change_reason"])

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RuleSetReadOnly as error:  # the draft was submitted while the form was open
            self.message_user(request, f"Not saved: {error}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(GuidanceDocument)
class GuidanceDocumentAdmin(DraftContentAdmin):
    form = DocumentForm
    list_display = ["code", "title", "nice_page", "ruleset", "last_reviewed",
                    "next_review_due", "review_status"]
    list_filter = ["ruleset__state", "ruleset", ReviewStatusFilter, "publisher"]
    search_fields = ["code", "title"]
    list_select_related = ["ruleset"]
    fields = ["ruleset", "code", "title", "url", "publisher", "published", "last_reviewed",
              "next_review_due", "evidence_note", "replaced_by", "change_reason"]

    def content_save(self, obj, *, by, reason):
        document_save(document=obj, by=by, reason=reason)

    @admin.display(description="Link")
    def nice_page(self, obj):
        if not obj.url:
            return "-"
        return format_html('<a href="{}" rel="noopener noreferrer">{} page</a>', obj.url,
                           obj.publisher)

    @admin.display(description="Review", ordering="next_review_due")
    def review_status(self, obj):
        if obj.next_review_due is None:
            return "No date"
        if obj.review_overdue:
            return format_html('<strong class="review-overdue">{} Overdue</strong> since {}',
                               mark("warning"), obj.next_review_due.strftime("%d %b %Y"))
        return "Current"


class RuleSetActionsMixin:
    """Changelist actions that call the services, one selected ruleset at a time."""

    actions = ["new_draft_action"]

    def _one(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one ruleset.", messages.WARNING)
            return None
        return queryset.get()

    @admin.action(description="New draft from the selected ruleset",
                  permissions=["change"])
    def new_draft_action(self, request, queryset):
        ruleset = self._one(request, queryset)
        if ruleset is None:
            return None
        try:
            draft = ruleset_create_draft(source=ruleset, by=request.user)
        except (PublishRefused, RuleSetReadOnly) as error:
            self.message_user(request, f"Not done: {error}", messages.ERROR)
            return None
        self.message_user(request, f"Draft {draft.version} created: edit its rules, test it, "
                          "then submit it for review.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:guidance_ruleset_change", args=[draft.pk]))


@admin.register(CodeListEntry)
class CodeListEntryAdmin(DraftContentAdmin):
    """A hospital's local codes are added, and codes deactivated, in a draft ruleset."""

    form = CodeListEntryForm
    list_display = ["code_list", "system_in_words", "code", "value_in_words", "display",
                    "evidence", "active", "ruleset"]
    list_filter = ["ruleset__state", "ruleset", "code_list", SystemFilter, "active"]
    search_fields = ["code", "display"]
    list_select_related = ["ruleset"]
    fields = ["ruleset", "code_list", "system", "code", "value", "display", "evidence",
              "active", "change_reason"]

    def get_readonly_fields(self, request, obj=None):
        return ["ruleset", "code_list", "system", "code"] if obj is not None else []

    def content_save(self, obj, *, by, reason):
        code_entry_save(entry=obj, by=by, reason=reason)

    @admin.display(description="Value", ordering="value")
    def value_in_words(self, obj):
        return vocabulary_words(obj.value)

    @admin.display(description="System", ordering="system")
    def system_in_words(self, obj):
        return system_name(obj.system)


class RuleSetStateFilter(admin.SimpleListFilter):
    """By state; discarded drafts only when asked for (kept, but out of the daily list)."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return RuleSet.STATE_CHOICES

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.exclude(state=RuleSet.DISCARDED)
        return queryset.filter(state=self.value())

    def choices(self, changelist):
        first, *rest = super().choices(changelist)
        yield {**first, "display": "All but discarded"}
        yield from rest


# Each state's drawn mark, beside its name in words (guidance/static/guidance/marks.svg).
STATE_MARKS = {RuleSet.PUBLISHED: "published", RuleSet.DRAFT: "draft",
               RuleSet.IN_REVIEW: "waiting", RuleSet.APPROVED: "approved",
               RuleSet.RETIRED: "retired", RuleSet.DISCARDED: "cross"}


@admin.register(RuleSet)
class RuleSetAdmin(RuleSetActionsMixin, PeopleByName, HistoryAdmin):
    list_display = ["version", "title", "state_label", "review_note", "rule_count", "based_on",
                    "created_by", "published_at", "published_by"]
    list_filter = [RuleSetStateFilter]
    search_fields = ["version", "title"]
    fields = ["version", "title", "state", "notes", "based_on", "created_at", "created_by_name",
              "published_at", "published_by_name", "rules_link"]
    always_readonly = ["version", "state", "based_on", "created_at", "created_by_name",
                       "published_at", "published_by_name", "rules_link"]
    change_form_template = "admin/guidance/ruleset/change_form.html"
    change_list_template = "admin/guidance/ruleset/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "based_on", "created_by", "published_by").annotate(
            rule_total=Count("rules")).prefetch_related(Prefetch("reviews",
                                                                 queryset=reviews_told()))

    def has_add_permission(self, request):
        return False  # a ruleset starts as a copy ("new draft") or an imported file

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != RuleSet.DRAFT:
            return self.fields
        return self.always_readonly

    def has_change_permission(self, request, obj=None):
        # Published and retired rulesets open read-only; their actions stay available.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.state == RuleSet.DRAFT)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.state == RuleSet.DRAFT)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one draft at a time, from its own page
        return actions

    def save_model(self, request, obj, form, change):
        ruleset_details_save(ruleset=obj, by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        allowed = self.has_change_permission(request)
        extra_context = {**(extra_context or {}), "can_act": allowed, "can_draft": allowed}
        ruleset = self.get_object(request, unquote(object_id))
        if ruleset is not None:  # its review, as a conversation, above the form
            steps = review_conversation(ruleset)
            extra_context.update(steps=steps, status=review_status(ruleset, steps))
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        work = worklist_for(request.user)
        extra_context = {**(extra_context or {}),
                         "title": "Rules console: rulesets",
                         "can_act": self.has_change_permission(request),
                         "work": work, "home_lists": [
                             ("Came back to you from review", work.returned, "change"),
                             ("Waiting for your review", work.to_review, "review"),
                             ("Emergency rollbacks waiting for your follow-up",
                              work.to_follow_up, "follow_up"),
                             ("Approved: ready for you to publish", work.approved, "publish"),
                             ("Your drafts", work.my_drafts, "change"),
                             ("Submitted, waiting for a clinical safety officer",
                              work.in_review, "change")],
                         "flagged": Publication.objects.filter(needs_review=True).count()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="State", ordering="state")
    def state_label(self, obj):
        return format_html('<span class="state state-{}">{} {}</span>', obj.state,
                           mark(STATE_MARKS[obj.state]), obj.get_state_display())

    @admin.display(description="Review")
    def review_note(self, obj):
        """What last came of its review (returned, and by whom, with the comment's start)."""
        return review_latest_note(obj) or "-"

    @admin.display(description="Rules", ordering="rule_total")
    def rule_count(self, obj):
        return obj.rule_total

    @admin.display(description="Rules")
    def rules_link(self, obj):
        url = reverse("admin:guidance_rule_changelist") + f"?ruleset__id__exact={obj.pk}"
        return format_html('<a href="{}">{} rules in {}</a>', url, obj.rules.count(),
                           obj.version)

    def get_urls(self):
        def wrap(view):
            def wrapper(*args, **kwargs):
                return self.admin_site.admin_view(view)(*args, **kwargs)
            return update_wrapper(wrapper, view)

        views = admin_views.RuleSetViews(self)
        steps = admin_governance.GovernanceViews(self)
        expectations = admin_views.ExpectationViews(self)
        # ASCII digits, and few: a number of thousands of digits is no ruleset (not a 500).
        pk = r"^(?P<pk>[0-9]{1,18})"
        return [
            path("import/", wrap(views.import_file), name="guidance_ruleset_import"),
            path("publications/", wrap(steps.publications),
                 name="guidance_ruleset_publications"),
            re_path(r"^publications/(?P<pk>[0-9]{1,18})/follow-up/$", wrap(steps.follow_up),
                    name="guidance_ruleset_follow_up"),
            re_path(pk + r"/test/$", wrap(views.test), name="guidance_ruleset_test"),
            re_path(pk + r"/impact/$", wrap(views.impact), name="guidance_ruleset_impact"),
            re_path(pk + r"/export/$", wrap(views.export), name="guidance_ruleset_export"),
            re_path(pk + r"/new-draft/$", wrap(views.new_draft),
                    name="guidance_ruleset_new_draft"),
            re_path(pk + r"/expectation/(?P<code>[A-Za-z0-9._-]{1,40})/$",
                    wrap(expectations.expectation), name="guidance_ruleset_expectation"),
            re_path(pk + r"/expectations/accept/$", wrap(expectations.accept),
                    name="guidance_ruleset_expectations_accept"),
            *(re_path(pk + rf"/{step}/$", wrap(getattr(steps, step)),
                      name=f"guidance_ruleset_{step}")
              for step in ("submit", "withdraw", "review", "publish", "rollback",
                           "discard")),
            *super().get_urls(),
        ]


@admin.register(Rule)
class RuleAdmin(HistoryAdmin):
    form = RuleAdminForm
    change_list_template = "admin/guidance/rule/change_list.html"
    list_display = ["code", "option", "effect", "status", "priority", "guidance", "section",
                    "ruleset"]
    list_filter = ["ruleset__state", "ruleset", "option", "effect", GuidanceCodeFilter]
    search_fields = ["code", "text", "defines", "section"]
    list_select_related = ["ruleset", "guidance"]
    fieldsets = [
        (None, {"fields": ["ruleset", "code", "lock_version"]}),
        ("What it decides", {"fields": ["option", "effect", "status", "priority", "defines",
                                        "temporary", "alert_code", "alert_severity"]}),
        ("Source", {"fields": ["guidance", "section", "bonecare_default"]}),
        ("What people read", {"fields": ["text", "patient_text"],
                              "description": TEXT_HELP}),
        ("For editors only", {"fields": ["editor_note"]}),
        ("When it applies", {"fields": ["condition", "condition_in_words"]}),
        ("Why it changes", {"fields": ["change_reason"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        # A rule that cannot change (not in a draft) asks for no reason.
        if obj is not None and not self.has_change_permission(request, obj):
            return self.fieldsets[:-1]
        return self.fieldsets

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.ruleset.state == RuleSet.DRAFT)

    @admin.display(description="In plain words")
    def condition_in_words(self, obj):
        """The saved condition as the engine's parser reads it, for a reviewer."""
        if obj is None or obj.pk is None:
            return "Shown once the rule is saved."
        try:
            words = condition_plain(obj.condition, define_names(obj.ruleset_id,
                                                                exclude_pk=obj.pk))
        except ConditionError as error:
            return f"Cannot be read: {error}"
        return format_html('<p class="condition-words">{}</p>', words)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.ruleset.state == RuleSet.DRAFT)

    def get_readonly_fields(self, request, obj=None):
        return ["ruleset", "condition_in_words"] if obj is not None else ["condition_in_words"]

    def history_value_words(self, record, field, value):
        """A past condition in plain words, as the rule's page shows its current one."""
        if field.name != "condition" or not value:
            return super().history_value_words(record, field, value)
        try:
            return condition_plain(value, define_names(record.ruleset_id, exclude_pk=record.id))
        except ConditionError:
            return as_code(value)

    def get_urls(self):
        views = admin_review.RuleReviewViews(self)
        return [
            path("review/", self.admin_site.admin_view(views.index),
                 name="guidance_rule_review"),
            path("review.csv", self.admin_site.admin_view(views.export),
                 name="guidance_rule_review_csv"),
            re_path(r"^review/(?P<code>[A-Za-z0-9._-]{1,40})/$",
                    self.admin_site.admin_view(views.detail), name="guidance_rule_review_rule"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        rule_save(rule=obj, by=request.user, reason=form.cleaned_data["change_reason"])

    def delete_model(self, request, obj):
        rule_delete(rule=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        kept = queryset.exclude(ruleset__state=RuleSet.DRAFT).count()
        for rule in queryset.filter(ruleset__state=RuleSet.DRAFT):
            rule_delete(rule=rule, by=request.user)
        if kept:
            self.message_user(request, f"{kept} rule(s) of published or retired rulesets "
                              "were kept: they never change.", messages.WARNING)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (StaleEdit, RuleSetReadOnly) as error:
            # Only reached if another save wins between the form's check and the save.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Scenario)
class ScenarioAdmin(ExpectationsInWords, HistoryAdmin):
    list_display = ["code", "title", "source", "expected_in_words", "expectation_note"]
    list_filter = ["source"]
    search_fields = ["code", "title", "expectation_note"]
    readonly_fields = ["source_in_words", *ExpectationsInWords.expectation_shown,
                       "expectation_note"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ScenarioAddForm if obj is None else ScenarioChangeForm
        return super().get_form(request, obj, change, **kwargs)

    add_fields = ["code", "title", "assessment", *expectation_fields(), "expectation_note"]
    change_fields = ["code", "title", "source_in_words", "assessment",
                     *ExpectationsInWords.expectation_shown, "expectation_note"]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.change_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Expectations change only with a reason; shared and threshold scenarios come from
        # their files (a threshold scenario's assessment is what brackets its threshold).
        shared = ["code", "assessment"] if obj.source in ("shared", "threshold") else ["code"]
        return [*shared, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        scenario_save(scenario=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.source == "editor")

    def delete_model(self, request, obj):
        scenario_delete(scenario=obj, by=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # each removal audited, from its own page
        return actions


@admin.register(GovernanceEvent)
class GovernanceEventAdmin(EventsInWords, PeopleByName, NotFoundPageMixin, ReadOnlyAdminMixin,
                           admin.ModelAdmin):
    """The governance audit, read only for everyone (editors and safety officers hold its view
    permission; nobody, a superuser included, adds, changes or deletes a row here): every
    action and refusal, newest first."""

    list_display = ["at", "by", "action_in_words", "outcome_in_words", "ruleset", "detail"]
    fields = readonly_fields = ["at", "by_name", "action_in_words", "outcome_in_words",
                                "ruleset", "detail"]
    search_fields = ["detail", "by__username", "ruleset__version"]
    list_select_related = ["by", "ruleset"]
