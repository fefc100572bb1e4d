"""New consultation, its result, the list of one's own, and starting again from one."""

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ... import vocab
from ...cds_hooks.drafts import draft_open
from ...consultation.models import Consultation
from ...consultation.services import (
    AssessmentInvalid,
    NoPublishedRuleSet,
    advice_now,
    consultation_create,
)
from ...json_input import json_loads
from ...validation import (
    PATIENT_REF_MAX_LENGTH,
    invisible_characters,
    patient_ref_normal,
    validate_assessment,
)
from ..consultation_form import (
    ConsultationForm,
    creatinine_clearance_shown,
    data_from_assessment,
    lesion_score_text,
    score_required,
)
from ..forms import CANCER_QUESTIONS, LESION_HINTS, MAX_ROWS, PREFIXES, YesNoField
from ..presenters import consultation_view, current_rules_view, draft_banner, score_tables
from .access import clinician_required, own_consultation
from .decisions import with_decisions

if TYPE_CHECKING:
    from ..forms import _LesionFormBase
    from ..presenters.scoring import ScoreTable

SEARCH_KEY = "consultation_search"
COPY_FROM = re.compile(r"[0-9]{1,18}")
PAGE_SIZE = 20
SEARCH_REFUSED = ("Enter the patient reference without control or invisible formatting "
                  "characters")
NO_RULESET = ("No published ruleset is in use, so no advice can be given. Ask a guidance "
              "editor to publish one.")


@clinician_required
@require_http_methods(["GET", "POST"])
def consultation_list(request: HttpRequest) -> HttpResponse:
    """List the clinician's own consultations, newest first, searchable by patient reference.

    The search term is posted and kept in the session, so it never appears in a URL.
    """
    error = ""
    if request.method == "POST":
        term, error = _search_posted(request.POST)
        if not error:
            request.session[SEARCH_KEY] = term
            return redirect("consultation-list")
    term = request.session.get(SEARCH_KEY, "")
    if invisible_characters(term):  # stored before such terms were refused
        term = request.session[SEARCH_KEY] = ""
    consultations = Consultation.objects.filter(clinician=request.user).order_by(
        "-created_at", "-pk")
    if term:
        compact = term.replace(" ", "")
        consultations = consultations.annotate(
            ref_compact=Replace(F("patient_ref"), Value(" "), Value(""))
        ).filter(ref_compact__icontains=compact)
    page = Paginator(consultations.only("pk", "patient_ref", "created_at", "cancer_type",
                                        "ruleset_version", "result"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "options/consultation_list.html",
                  {"page": page, "term": term, "search_error": error})


def _search_posted(post: QueryDict) -> tuple[str, str]:
    """Return the posted search term as references are stored, and why it is refused if it is."""
    if "clear" in post:
        return "", ""
    term = patient_ref_normal(post.get("q", ""))[:PATIENT_REF_MAX_LENGTH]
    if invisible_characters(term):
        return "", SEARCH_REFUSED
    return term, ""


@clinician_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    """Show the consultation form; on submit evaluate, store and show the advice."""
    if request.method == "GET":
        if "draft" in request.GET:  # "Open in BoneCare" from an EHR's CDS Hooks card
            return _draft_form(request)
        return consultation_form_page(request, ConsultationForm(_copy_data(request)))
    answer = consultation_submit(request)
    if isinstance(answer, HttpResponse):
        return answer
    return redirect("consultation-detail", pk=answer.pk)


def consultation_submit(request: HttpRequest, **extra: object) -> "HttpResponse | Consultation":
    """Handle a posted consultation form: the form again (an action such as adding a lesion,
    or errors next to their fields), or the consultation evaluated and stored. `extra` goes
    to the form's page (the SMART launch's banners and form action)."""
    action = request.POST.get("action", "submit")
    if action != "submit":
        form = ConsultationForm.with_action(request.POST.dict(), action)
        return consultation_form_page(request, form, **extra)
    form = ConsultationForm(request.POST.dict())
    data = form.contract()
    errors = form.type_errors()
    if errors:
        try:
            validate_assessment(data)
        except AssessmentInvalid as invalid:
            errors += invalid.errors
        form.add_errors(errors)
        return consultation_form_page(request, form, **extra)
    try:
        consultation = consultation_create(data=data, channel="form", by=request.user,
                                           copied_from=_copied_from(request, form))
    except AssessmentInvalid as invalid:
        form.add_errors(invalid.errors)
        return consultation_form_page(request, form, **extra)
    except NoPublishedRuleSet:
        form.error_summary = [{"text": NO_RULESET, "href": "#main-content"}]
        return consultation_form_page(request, form, status=503, **extra)
    for text in form.ignored_rows():
        messages.info(request, text)
    return consultation


def _draft_form(request: HttpRequest) -> HttpResponse:
    """The form pre-filled from the EHR's record, with a banner saying what came from it;
    the link's own page when it has expired, was opened by another clinician or is unknown."""
    assessment = draft_open(key=request.GET["draft"], by=request.user)
    if assessment is None:
        return render(request, "options/draft_expired.html", status=404)
    return consultation_form_page(request, ConsultationForm(data_from_assessment(assessment)),
                                  from_record=draft_banner(assessment))


def _copy_data(request: HttpRequest) -> dict[str, str]:
    source = request.GET.get("from", "")
    if not COPY_FROM.fullmatch(source):  # not "²", which isdigit() accepts and int() refuses
        return {}
    consultation = own_consultation(request, int(source))
    return {**data_from_assessment(consultation.to_assessment()),
            "copied_from": str(consultation.pk)}


def _copied_from(request: HttpRequest, form: ConsultationForm) -> Consultation | None:
    pk = form.assessment.cleaned_data.get("copied_from")
    if pk is None:
        return None
    return Consultation.objects.filter(pk=pk, clinician=request.user).first()


def _lesion_row(lesion_form: "_LesionFormBase",
                tables: "Mapping[str, ScoreTable]") -> dict[str, Any]:
    fields = [{"bound": lesion_form[name], "hint": LESION_HINTS.get(name, ""),
               "radios": isinstance(field, YesNoField),
               "sites": " ".join(sorted(vocab.LESION_FIELD_SITES[name])),
               "applies": lesion_form.applies(name)}
              for name, field in lesion_form.fields.items()]
    values = {name: lesion_form.data.get(lesion_form.add_prefix(name), "")
              for name in lesion_form.fields}
    return {"form": lesion_form, "fields": fields,
            "score": lesion_score_text(values, tables=tables)}


def consultation_form_page(request: HttpRequest, form: ConsultationForm, status: int = 200,
                           from_record: dict[str, list[str]] | None = None,
                           **extra: object) -> HttpResponse:
    """The consultation form's page; `extra` adds to its context (a SMART launch's banners
    and the URL the form posts to)."""
    tables = score_tables()
    assessment = form.assessment
    questions = {cancer: assessment[name] for name, cancer in CANCER_QUESTIONS.items()}
    context = {
        "form": form,
        "a": assessment,
        "cancer_choices": [{"value": value, "text": text, "question": questions.get(value)}
                           for value, text in assessment.fields["cancer_type"].choices],
        "kidney_fields": [assessment[name] for name in assessment.KIDNEY_FIELDS],
        "kidney": creatinine_clearance_shown(data=form.data),
        "safety_questions": [assessment[name] for name in assessment.SAFETY_QUESTIONS],
        "lesion_rows": [_lesion_row(f, tables) for f in form.lesions.forms],
        "empty_lesion_row": _lesion_row(form.lesions.empty_form, tables),
        "prefixes": PREFIXES,
        "max_rows": MAX_ROWS,
        "score_tables": tables,
        "score_required": score_required(),
        "error_summary": form.error_summary,
        "copied_from": form.data.get("copied_from", ""),
        "from_record": from_record,
        **extra,
    }
    return render(request, "options/consultation_form.html", context, status=status)


@clinician_required
@require_POST
@never_cache
def consultation_derive(request: HttpRequest) -> JsonResponse:
    """Return the creatinine clearance the form's answers give so far, as JSON.

    The page posts the answers as a JSON body (never in a URL); nothing posted is logged.
    """
    if request.content_type != "application/json":
        return _derive_error("", "send the answers as application/json", status=415)
    try:
        data = json_loads(request.body)
    except ValueError:  # not JSON, not UTF-8, or nested too deeply
        data = None
    if not isinstance(data, dict):
        return _derive_error("", "send a JSON object of the form's answers")
    shown = creatinine_clearance_shown(data=data)
    return JsonResponse(shown, status=400 if "errors" in shown else 200)


def _derive_error(path: str, message: str, *, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": [{"path": path, "message": message}]}, status=status)


@clinician_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the advice exactly as it was given, with the ruleset that produced it."""
    consultation = own_consultation(request, pk)
    context = with_decisions(consultation_view(consultation), consultation)
    context["current"] = current_rules_view(
        consultation, advice_now(consultation=consultation, by=request.user))
    return render(request, "options/consultation_detail.html", context)


@clinician_required
@require_POST
def consultation_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a new consultation pre-filled from this one; the original stays as it was."""
    consultation = own_consultation(request, pk)
    return redirect(f"/consultations/new/?from={consultation.pk}")
