"""Rules console pages beyond the model forms: test, impact, export, import, publish."""

import json
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from options.rules import RuleError
from options.vocab import OPTIONS

from .forms import ExpectationChangeForm, RulesetImportForm, expectation_initial
from .models import RuleSet, Scenario
from .regression import ruleset_impact, ruleset_test, scenario_check
from .selectors import NoPublishedRuleSet, ruleset_compiled, ruleset_get_published
from .services import (
    GuidanceImportError,
    PublishRefused,
    RuleSetReadOnly,
    ruleset_create_draft,
    ruleset_export,
    ruleset_import,
    ruleset_publish,
    ruleset_republish,
    scenario_expectation_update,
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


class RuleSetViews(ConsoleViews):
    """Test, preview, export, import, and the publishing steps for rulesets."""

    ACTIONS = {
        "publish": ("Publish", "publish this draft: it replaces the ruleset in use for "
                    "every new evaluation"),
        "republish": ("Publish again", "publish this retired ruleset again (roll back): it "
                      "replaces the ruleset in use for every new evaluation"),
        "new-draft": ("New draft", "copy this ruleset and all its rules into a new draft"),
    }

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

    def act(self, request, pk, action):
        self.require(request, "change")
        ruleset = get_object_or_404(RuleSet, pk=int(pk))
        label, description = self.ACTIONS[action]
        if request.method == "POST":
            return self._act(request, ruleset, action)
        return self.render(request, "ruleset/confirm.html", self.context(
            request, f"{label} {ruleset.version}?", ruleset=ruleset, label=label,
            description=description, original=ruleset))

    def _act(self, request, ruleset, action):
        try:
            if action == "new-draft":
                draft = ruleset_create_draft(source=ruleset, by=request.user)
                messages.success(request, f"Draft {draft.version} created from "
                                          f"{ruleset.version}.")
                return HttpResponseRedirect(self.change_url(draft))
            service = ruleset_publish if action == "publish" else ruleset_republish
            service(ruleset=ruleset, by=request.user)
        except PublishRefused as error:
            messages.error(request, f"Not published: {error}")
            return HttpResponseRedirect(
                reverse("admin:guidance_ruleset_test", args=[ruleset.pk]))
        except RuleSetReadOnly as error:
            messages.error(request, f"Not done: {error}")
            return HttpResponseRedirect(self.change_url(ruleset))
        messages.success(request, f"Ruleset {ruleset.version} is published: the next "
                                  "evaluation in every process uses it.")
        if action == "republish":
            self._warn_disagreements(request, ruleset)
        return HttpResponseRedirect(self.change_url(ruleset))

    def _warn_disagreements(self, request, ruleset):
        failures = ruleset_test(ruleset=ruleset).failures
        if failures:
            codes = ", ".join(check.scenario.code for check in failures)
            messages.warning(request, f"{len(failures)} scenario(s) now disagree with "
                                      f"{ruleset.version}: {codes}.")

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


class ScenarioViews(ConsoleViews):
    """Change a scenario's expectation, with a reason, optionally from a draft's result."""

    def expectation(self, request, pk):
        self.require(request, "change")
        scenario = get_object_or_404(Scenario, pk=pk)
        ruleset = self._ruleset(request)
        check = scenario_check(scenario, ruleset_compiled(ruleset)[1]) if ruleset else None
        initial = self._initial(scenario, check)
        form = ExpectationChangeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            expected, hold, alerts = form.values()
            try:
                scenario_expectation_update(
                    scenario=scenario, expected=expected, expected_hold=hold,
                    expected_alerts=alerts, reason=form.cleaned_data["reason"],
                    by=request.user)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"Scenario {scenario.code}: expectation changed.")
                return HttpResponseRedirect(self._next(request, scenario))
        return self.render(request, "scenario/expectation.html", self.context(
            request, f"Change what scenario {scenario.code} expects", scenario=scenario,
            ruleset=ruleset, check=check, form=form, original=scenario,
            next_url=request.GET.get("next", "")))

    def _ruleset(self, request):
        pk = request.GET.get("ruleset", "")
        # ASCII digits only: isdigit() also accepts "²", which int() refuses.
        return get_object_or_404(RuleSet, pk=pk) if re.fullmatch(r"[0-9]{1,18}", pk) else None

    def _initial(self, scenario, check):
        if check is None or check.result is None:
            return expectation_initial(expected=scenario.expected, hold=scenario.expected_hold,
                                       alerts=scenario.expected_alerts)
        result = check.result
        return expectation_initial(
            expected={o["option"]: o["status"] for o in result["options"]},
            hold=[o["option"] for o in result["options"] if o["hold"]],
            alerts=[a["code"] for a in result["alerts"]])

    def _next(self, request, scenario):
        target = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
            return target
        return reverse("admin:guidance_scenario_change", args=[scenario.pk])
