"""Rules console pages beyond the model forms: test, impact, export, import, new draft, and a
draft's own expectations. The governance steps (submit, review, publish, roll back) are in
guidance.console.governance."""

import json
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from options.rules import RuleError
from options.vocab import OPTIONS

from ..models import RuleSet
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
from .forms import ExpectationChangeForm, RulesetImportForm, expectation_initial


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


class RuleSetViews(ConsoleViews):
    """Test, preview, export, import, and the publishing steps for rulesets."""

    def change_url(self, ruleset):
        return reverse("admin:guidance_ruleset_change", args=[ruleset.pk])

    def test(self, request, pk):
        self.require(request, "view")
        ruleset = get_object_or_404(RuleSet, pk=pk)
        try:
            outcome = ruleset_test(ruleset=ruleset)
        except RuleError as error:
            messages.error(request, f"The engine cannot run {ruleset.version}: {error}")
            return HttpResponseRedirect(self.change_url(ruleset))
        return self.render(request, "ruleset/test.html", self.context(
            request, f"Test {ruleset.version} against every scenario", ruleset=ruleset,
            outcome=outcome, original=ruleset,
            checks=sorted(outcome.checks, key=lambda check: check.passed)))

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
    """Change what one scenario expects under a draft, with a reason, from the draft's result."""

    def expectation(self, request, pk, code):
        self.require(request, "change")
        ruleset = get_object_or_404(RuleSet, pk=pk)
        row = next((r for r in ruleset_expectations(ruleset) if r.code == code), None)
        if row is None:
            raise Http404("No such scenario")
        check = scenario_check(row, ruleset_compiled(ruleset)[1])
        form = ExpectationChangeForm(request.POST or None, initial=self._initial(row, check))
        if ruleset.state != RuleSet.DRAFT:
            messages.error(request, f"{ruleset.version} is {ruleset.get_state_display().lower()}"
                                    ": only a draft's expectations change.")
            return HttpResponseRedirect(reverse("admin:guidance_ruleset_test", args=[pk]))
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
            next_url=request.GET.get("next", "")))

    def _initial(self, row, check):
        if check.result is None:
            return expectation_initial(expected=row.expected, hold=row.expected_hold,
                                       alerts=row.expected_alerts)
        result = check.result
        return expectation_initial(
            expected={o["option"]: o["status"] for o in result["options"]},
            hold=[o["option"] for o in result["options"] if o["hold"]],
            alerts=[a["code"] for a in result["alerts"]])

    def _next(self, request, ruleset):
        target = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
            return target
        return reverse("admin:guidance_ruleset_test", args=[ruleset.pk])
