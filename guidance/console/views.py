"""Rules console pages beyond the model forms: test, impact, export, import, new draft, and a
draft's own expectations. The governance steps (submit, review, publish, roll back) are in
guidance.console.governance."""

import json
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from options.choices import label
from options.rules import RuleError
from options.vocab import OPTIONS

from ..models import RuleSet
from ..scenarios.accept import expectations_accept
from ..scenarios.expectations import ruleset_expectations
from ..scenarios.impact import ruleset_impact
from ..scenarios.regression import ruleset_test, scenario_check
from ..selectors import NoPublishedRuleSet, ruleset_compiled, ruleset_get_published
from ..services import (
    GuidanceImportError,
    RuleSetReadOnly,
    ruleset_create_draft,
    ruleset_export,
    ruleset_import,
    scenario_expectation_update,
)
from .forms import (
    AcceptOutputForm,
    ExpectationChangeForm,
    RulesetImportForm,
    expectation_comparison,
    expectation_initial,
)


def today():
    return timezone.localdate()


class ConsoleViews:
    """Shared helpers: admin context and permission checks for one ModelAdmin."""

    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.opts = model_admin.model._meta

    def context(self, request, title, **extra):
        return {**self.model_admin.admin_site.each_context(request), "opts": self.opts,
                "title": title, "options": OPTIONS, **extra}

    def require(self, request, action):
        has = getattr(self.model_admin, f"has_{action}_permission")
        if not has(request):
            raise PermissionDenied

    def render(self, request, template, context):
        return TemplateResponse(request, f"admin/guidance/{template}", context)


def _safe_filename(version):
    return re.sub(r"[^A-Za-z0-9._-]", "_", version)


def _outcome(request, ruleset):
    """Return the ruleset's test against its own expectations, or None (and say why)."""
    try:
        return ruleset_test(ruleset=ruleset)
    except RuleError as error:
        messages.error(request, f"The engine cannot run {ruleset.version}: {error}")
        return None


def accept_form(outcome, data=None):
    """Return the form that takes a draft's output for the failing scenarios it would fix."""
    return AcceptOutputForm(data, codes=[check.scenario.code for check in outcome.failures
                                         if check.acceptable])


def render_test_page(views, request, ruleset, outcome, form):
    """Render a ruleset's test page: each scenario, failing first, and (for an editor of a
    draft) the form that accepts what the draft gives for the scenarios ticked."""
    checks = sorted(outcome.checks, key=lambda check: check.passed)
    ticks = {tick.data["value"]: tick for tick in form["codes"]} if form else {}
    return views.render(request, "ruleset/test.html", views.context(
        request, f"Test {ruleset.version} against every scenario", ruleset=ruleset,
        outcome=outcome, original=ruleset, accept_form=form if ticks else None,
        option_labels=[label(option) for option in OPTIONS],
        rows=[(check, ticks.get(check.scenario.code)) for check in checks]))


class RuleSetViews(ConsoleViews):
    """Test, preview, export, import, and the publishing steps for rulesets."""

    def change_url(self, ruleset):
        return reverse("admin:guidance_ruleset_change", args=[ruleset.pk])

    def test(self, request, pk):
        self.require(request, "view")
        ruleset = get_object_or_404(RuleSet, pk=pk)
        outcome = _outcome(request, ruleset)
        if outcome is None:
            return HttpResponseRedirect(self.change_url(ruleset))
        form = None
        if ruleset.state == RuleSet.DRAFT and self.model_admin.has_change_permission(request):
            form = accept_form(outcome)
        return render_test_page(self, request, ruleset, outcome, form)

    def impact(self, request, pk):
        self.require(request, "view")
        draft = get_object_or_404(RuleSet, pk=pk)
        try:
            published = ruleset_get_published()
            impact = ruleset_impact(draft=draft, published=published)
        except (NoPublishedRuleSet, RuleError) as error:
            messages.error(request, f"No impact preview: {error}")
            return HttpResponseRedirect(self.change_url(draft))
        return self.render(request, "ruleset/impact.html", self.context(
            request, f"Impact of {draft.version} against {published.version}", ruleset=draft,
            impact=impact, original=draft))

    def export(self, request, pk):
        self.require(request, "view")
        ruleset = get_object_or_404(RuleSet, pk=pk)
        response = HttpResponse(json.dumps(ruleset_export(ruleset=ruleset), indent=1),
                                content_type="application/json")
        response["Content-Disposition"] = (
            f'attachment; filename="ruleset-{_safe_filename(ruleset.version)}.json"')
        return response

    def new_draft(self, request, pk):
        self.require(request, "change")
        ruleset = get_object_or_404(RuleSet, pk=pk)
        if request.method == "POST":
            try:
                draft = ruleset_create_draft(source=ruleset, by=request.user)
            except RuleSetReadOnly as error:
                messages.error(request, f"Not done: {error}")
                return HttpResponseRedirect(self.change_url(ruleset))
            messages.success(request, f"Draft {draft.version} created from {ruleset.version}.")
            return HttpResponseRedirect(self.change_url(draft))
        return self.render(request, "ruleset/confirm.html", self.context(
            request, f"New draft from {ruleset.version}?", ruleset=ruleset, label="New draft",
            description="copy this ruleset, its rules and its scenario expectations into a "
                        "new draft", original=ruleset))

    def import_file(self, request):
        self.require(request, "change")
        form = RulesetImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                ruleset = ruleset_import(data=form.cleaned_data["file"], by=request.user)
            except GuidanceImportError as error:
                errors = error.errors
            else:
                messages.success(request, f"Imported {ruleset.version} as a draft "
                                          f"({ruleset.rules.count()} rules).")
                return HttpResponseRedirect(self.change_url(ruleset))
        return self.render(request, "ruleset/import.html", self.context(
            request, "Import a ruleset file", form=form, import_errors=errors))


class ExpectationViews(ConsoleViews):
    """Change what scenarios expect under a draft, with a reason: one from its own page,
    starting from what is expected now; or several at once, taking what the draft gives."""

    def expectation(self, request, pk, code):
        self.require(request, "change")
        ruleset = get_object_or_404(RuleSet, pk=pk)
        row = next((r for r in ruleset_expectations(ruleset) if r.code == code), None)
        if row is None:
            raise Http404("No such scenario")
        if ruleset.state != RuleSet.DRAFT:
            messages.error(request, f"{ruleset.version} is {ruleset.get_state_display().lower()}"
                                    ": only a draft's expectations change.")
            return HttpResponseRedirect(reverse("admin:guidance_ruleset_test", args=[pk]))
        check = scenario_check(row, ruleset_compiled(ruleset)[1])
        start = "draft" if request.GET.get("from") == "draft" and check.output else "now"
        values = check.output if start == "draft" else row.values()
        form = ExpectationChangeForm(request.POST or None, initial=expectation_initial(
            expected=values["expected"], hold=values["expected_hold"],
            alerts=values["expected_alerts"]))
        if request.method == "POST" and form.is_valid():
            expected, hold, alerts = form.values()
            try:
                scenario_expectation_update(
                    scenario=code, ruleset=ruleset, expected=expected, expected_hold=hold,
                    expected_alerts=alerts, reason=form.cleaned_data["reason"],
                    by=request.user)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"Scenario {code}: expectation under "
                                          f"{ruleset.version} changed.")
                return HttpResponseRedirect(self._next(request, ruleset))
        return self.render(request, "scenario/expectation.html", self.context(
            request, f"Change what scenario {code} expects under {ruleset.version}",
            scenario=row, ruleset=ruleset, check=check, form=form, original=ruleset,
            start=start, start_urls=self._start_urls(request),
            fields=_beside(form, expectation_comparison(now=row.values(), draft=check.output)),
            other_differences=check.further_mismatches))

    def accept(self, request, pk):
        """Take what the draft gives as the expectation of the failing scenarios ticked."""
        self.require(request, "change")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ruleset = get_object_or_404(RuleSet, pk=pk)
        test_url = reverse("admin:guidance_ruleset_test", args=[pk])
        if ruleset.state != RuleSet.DRAFT:
            messages.error(request, f"Not done: {ruleset.version} is "
                                    f"{ruleset.get_state_display().lower()}: only a draft's "
                                    "expectations change.")
            return HttpResponseRedirect(test_url)
        outcome = _outcome(request, ruleset)
        if outcome is None:
            return HttpResponseRedirect(reverse("admin:guidance_ruleset_change", args=[pk]))
        form = accept_form(outcome, request.POST)
        if form.is_valid():
            try:
                changes = expectations_accept(ruleset=ruleset, codes=form.cleaned_data["codes"],
                                              reason=form.cleaned_data["reason"],
                                              by=request.user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"What {ruleset.version} gives is now expected of "
                                          f"{len(changes)} scenario(s): "
                                          f"{', '.join(c.code for c in changes)}.")
                return HttpResponseRedirect(test_url)
        return render_test_page(self, request, ruleset, outcome, form)

    def _start_urls(self, request):
        """Return the addresses that open the form from the draft's output and from now."""
        params = request.GET.copy()
        params["from"] = "draft"
        draft = "?" + params.urlencode()
        params.pop("from")
        return {"draft": draft, "now": "?" + params.urlencode()}

    def _next(self, request, ruleset):
        target = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
            return target
        return reverse("admin:guidance_ruleset_test", args=[ruleset.pk])


def _beside(form, comparison):
    """Pair each field of the form with what is expected now and what the draft gives."""
    compared = {row["name"]: row for row in comparison}
    fields = []
    for name in form.fields:
        bound, row = form[name], compared.get(name)
        if row is not None:
            ids = [f"{bound.auto_id}_beside"]
            ids += [f"{bound.auto_id}_helptext"] if bound.help_text else []
            form.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)
        fields.append((bound, row))
    return fields


def _add_errors(form, error):
    """Show a service's refusal next to the field it names, or above the form."""
    for name, texts in error.message_dict.items():
        form.add_error(name if name in form.fields else None, texts)
