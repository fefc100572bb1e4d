"""The API's operations: one view per operation (the consultations collection has two)."""

import re
from datetime import datetime
from typing import TypedDict

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guidance.selectors import published_documents, ruleset_get_published
from options.consultation.models import Consultation, TreatmentOption
from options.consultation.services import assessment_advise, audit_patient_ref
from options.http.errors import Conflict, error_response
from options.http.views import in_transaction
from options.validation import (
    PATIENT_REF_MAX_LENGTH,
    PATIENT_REF_PATTERN,
    patient_ref_normal,
    patient_ref_problem,
)

from . import scopes
from .base import ApiView, AuditedResponse, CallRecord
from .schema import error_responses
from .serializers import (
    AssessmentInputSerializer,
    ClientOutputSerializer,
    ConsultationOutputSerializer,
    EvaluationOutputSerializer,
    GuidanceDocumentOutputSerializer,
    RuleSetOutputSerializer,
    TreatmentOptionOutputSerializer,
)
from .services import IdempotencyConflict, consultation_create_once

MAX_ID = 2**63 - 1
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key", location=OpenApiParameter.HEADER, required=False,
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"},
    description="Send a unique key (for example a UUID) to make a retry safe: the same key "
                "returns the first answer and never stores a duplicate.",
)
PATIENT_REF_PARAMETER = OpenApiParameter(
    "patient_ref", location=OpenApiParameter.QUERY, required=False,
    type={"type": "string", "minLength": 1, "maxLength": PATIENT_REF_MAX_LENGTH,
          "pattern": PATIENT_REF_PATTERN},
    description="Only this patient's consultations.",
)


class EvaluateView(ApiView):
    """Evaluate an assessment with the published ruleset; nothing is stored but the audit."""

    required_scope = scopes.EVALUATE
    route = "/api/v1/evaluate"

    @extend_schema(operation_id="evaluate", request=AssessmentInputSerializer,
                   responses={200: EvaluationOutputSerializer, **error_responses(400, 413, 415,
                                                                                 503)})
    def post(self, request: Request) -> AuditedResponse:
        result = assessment_advise(data=request.data)
        return AuditedResponse(result, record=CallRecord(
            patient_ref=audit_patient_ref(request.data),
            ruleset_version=result["ruleset"]["version"]))


class ConsultationOutput(TypedDict):
    """A stored consultation as the API shows it (ConsultationOutputSerializer)."""

    id: int
    patient_ref: str
    created_at: datetime
    ruleset_version: str
    assessment: dict[str, object]
    result: dict[str, object]


def consultation_output(consultation: Consultation) -> ConsultationOutput:
    """Return a stored consultation as the API shows it."""
    return {
        "id": consultation.pk,
        "patient_ref": consultation.patient_ref,
        "created_at": consultation.created_at,
        "ruleset_version": consultation.ruleset_version,
        "assessment": consultation.to_assessment(),
        "result": consultation.result,
    }


def consultation_record(consultation: Consultation, outcome: str = "") -> CallRecord:
    """Return the audit record of a call that stored or showed a consultation."""
    return CallRecord(patient_ref=consultation.patient_ref, consultation=consultation,
                      ruleset_version=consultation.ruleset_version, outcome=outcome)


class ConsultationPagination(PageNumberPagination):
    """Pages of consultations, newest first; `page` must be a whole number from 1."""

    page_size = settings.BONECARE_API_PAGE_SIZE

    def get_page_number(self, request: Request, paginator: Paginator) -> int | str:
        number = request.query_params.get(self.page_query_param)
        if number is None:
            return 1
        if not (number.isascii() and number.isdigit()):
            raise ValidationError({"page": "must be a whole number from 1"})
        return number

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, object]]:
        return [{"name": self.page_query_param, "in": "query", "required": False,
                 "description": "Page number, from 1.",
                 "schema": {"type": "integer", "minimum": 1}}]


class ConsultationsView(ApiView, GenericAPIView):
    """Store and evaluate a consultation (POST), or list this client's own (GET)."""

    route = "/api/v1/consultations"
    pagination_class = ConsultationPagination
    required_scope = None  # per method, below
    query_parameters = ("patient_ref", "page")

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        self.required_scope = (scopes.CONSULTATIONS_READ if request.method == "GET"
                               else scopes.CONSULTATIONS_WRITE)
        super().initial(request, *args, **kwargs)

    @extend_schema(operation_id="consultations_create", request=AssessmentInputSerializer,
                   parameters=[IDEMPOTENCY_PARAMETER],
                   responses={201: ConsultationOutputSerializer,
                              **error_responses(400, 409, 413, 415, 503)})
    @in_transaction  # the consultation, its owner row and the call's audit row commit together
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
            return error_response(400, "1 to 255 visible ASCII characters, no spaces",
                                  path="Idempotency-Key")
        try:
            consultation, created = consultation_create_once(
                client=request.auth, data=request.data, key=key or "", endpoint=self.route)
        except IdempotencyConflict:
            raise Conflict("This Idempotency-Key was used with a different assessment.") from None
        headers = {"Location": f"{self.route}/{consultation.pk}"}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return AuditedResponse(consultation_output(consultation),
                               record=consultation_record(consultation,
                                                          outcome="" if created else "replayed"),
                               status=status.HTTP_201_CREATED, headers=headers)

    @extend_schema(operation_id="consultations_list", parameters=[PATIENT_REF_PARAMETER],
                   responses={200: ConsultationOutputSerializer(many=True),
                              **error_responses(400, 404)})
    def get(self, request: Request) -> Response:
        consultations = Consultation.objects.filter(api_owner__client=request.auth)
        ref = request.query_params.get("patient_ref")
        if ref is not None:
            problem = patient_ref_problem(ref)
            if problem:
                return error_response(400, problem, path="patient_ref")
            consultations = consultations.filter(patient_ref=patient_ref_normal(ref))
        page = self.paginate_queryset(consultations.order_by("-created_at", "-pk"))
        response = self.get_paginated_response([consultation_output(c) for c in page])
        response.record = CallRecord(patient_ref=patient_ref_normal(ref) if ref else "")
        return response


class ConsultationDetailView(ApiView):
    """Show one of this client's consultations, with the advice exactly as it was given."""

    required_scope = scopes.CONSULTATIONS_READ
    route = "/api/v1/consultations/{id}"

    @extend_schema(operation_id="consultations_retrieve",
                   parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
                   responses={200: ConsultationOutputSerializer, **error_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        consultation = None
        if pk <= MAX_ID:
            consultation = Consultation.objects.filter(api_owner__client=request.auth,
                                                       pk=pk).first()
        if consultation is None:
            return error_response(404, "No such consultation for this client.", path="id")
        return AuditedResponse(consultation_output(consultation),
                               record=consultation_record(consultation))


class OptionsView(ApiView):
    """List the five treatment options with their clinician and patient descriptions."""

    route = "/api/v1/options"

    @extend_schema(operation_id="options_list",
                   responses={200: TreatmentOptionOutputSerializer(many=True),
                              **error_responses()})
    def get(self, request: Request) -> Response:
        rows = TreatmentOption.objects.order_by("display_order").values(
            "slug", "name", "summary", "patient_description")
        return Response(list(rows))


class GuidanceView(ApiView):
    """List the guidance documents the published ruleset cites, with their review dates."""

    route = "/api/v1/guidance"

    @extend_schema(operation_id="guidance_list",
                   responses={200: GuidanceDocumentOutputSerializer(many=True),
                              **error_responses()})
    def get(self, request: Request) -> Response:
        documents = published_documents()
        return Response(GuidanceDocumentOutputSerializer(documents, many=True).data)


class CurrentRuleSetView(ApiView):
    """Show the published ruleset that every evaluation uses now."""

    route = "/api/v1/rulesets/current"

    @extend_schema(operation_id="rulesets_current",
                   responses={200: RuleSetOutputSerializer, **error_responses(503)})
    def get(self, request: Request) -> AuditedResponse:
        ruleset = ruleset_get_published()
        count = ruleset.rules.aggregate(n=Count("pk"))["n"]
        return AuditedResponse(RuleSetOutputSerializer(
            {"version": ruleset.version, "title": ruleset.title,
             "published_at": ruleset.published_at, "rule_count": count}).data,
            record=CallRecord(ruleset_version=ruleset.version))


class WhoAmIView(ApiView):
    """Tell a client its name and scopes: a cheap way to check a token works."""

    route = "/api/v1/whoami"

    @extend_schema(operation_id="whoami",
                   responses={200: ClientOutputSerializer, **error_responses()})
    def get(self, request: Request) -> Response:
        return Response({"name": request.auth.name, "scopes": request.auth.scopes})



