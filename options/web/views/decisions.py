"""Record what was decided about one option of a consultation's advice (the result page)."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ... import vocab
from ...choices import choices, label
from ...consultation.decisions import decision_record, option_rule_codes
from ...consultation.models import Consultation, Decision
from ..presenters import consultation_view
from .access import clinician_required, own_consultation

RESULT_PAGE_OUTCOMES = vocab.DECISION_OUTCOMES_BY_SOURCE["result_page"]
OUTCOME_LABELS = {"going_ahead": "Going ahead", "not_going_ahead": "Not going ahead",
                  "mdt_disagrees": "The MDT disagrees with this advice"}


class DecisionForm(forms.Form):
    """One option's decision: outcome, an optional coded reason, an optional comment."""

    outcome = forms.ChoiceField(label="What was decided", widget=forms.RadioSelect,
                                choices=[(o, OUTCOME_LABELS[o]) for o in RESULT_PAGE_OUTCOMES],
                                error_messages={"required": "Choose what was decided"})
    reason_code = forms.ChoiceField(
        label="Reason (needed when not going ahead or the MDT disagrees)", required=False,
        choices=[("", "No reason given"), *choices(vocab.DECISION_REASONS)])
    comment = forms.CharField(label="Comment (optional)", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    # A decision against the advice, or not to act, is read by the editors who review the
    # rules: without a reason it cannot tell them anything.
    NEEDS_REASON = ("not_going_ahead", "mdt_disagrees")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (cleaned.get("outcome") in self.NEEDS_REASON and not cleaned.get("reason_code")
                and not (cleaned.get("comment") or "").strip()):
            self.add_error("reason_code", "Choose a reason, or say why in the comment")
        return cleaned


def decisions_by_option(consultation: Consultation) -> dict[str, list[Decision]]:
    """Return {option: [decisions, newest first]} for a consultation; one query."""
    grouped = {}
    for decision in Decision.objects.filter(consultation=consultation).select_related("by"):
        grouped.setdefault(decision.option, []).append(decision)
    return grouped


def with_decisions(context: dict[str, Any], consultation: Consultation,
                   forms_by_option: Mapping[str, DecisionForm] | None = None) -> dict[str, Any]:
    """Attach each option's recorded decisions and its form to the result page's context."""
    recorded = decisions_by_option(consultation)
    for option in context["options"]:
        option.decisions = recorded.get(option.slug, [])
        option.decision_form = (forms_by_option or {}).get(option.slug) or DecisionForm(
            prefix=option.slug)
    return context


@clinician_required
@require_POST
def consultation_decision(request: HttpRequest, pk: int, option: str) -> HttpResponse:
    """Record one option's decision, then show the page again at that option."""
    consultation = own_consultation(request, pk)
    if option not in vocab.OPTIONS:
        raise Http404("No such option")
    form = DecisionForm(request.POST, prefix=option)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision_record(
                source="result_page", outcome=data["outcome"], option=option,
                rule_codes=option_rule_codes(consultation.result, option),
                ruleset_version=consultation.ruleset_version, reason_code=data["reason_code"],
                comment=data["comment"], consultation=consultation, by=request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            outcome = dict(choices(vocab.DECISION_OUTCOMES))[data["outcome"]]
            messages.success(request, f"Recorded for {label(option)}: {outcome}.")
            return redirect(f"/consultations/{consultation.pk}/#option-{option}")
    context = with_decisions(consultation_view(consultation), consultation, {option: form})
    context["decision_error"] = option
    return render(request, "options/consultation_detail.html", context, status=400)
