"""OpenAPI details drf-spectacular cannot infer: token auth, closed objects, examples."""

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request

from options.validation import MAX_LESIONS, MAX_PRIOR_TREATMENTS

from .serializers import ErrorOutputSerializer

if TYPE_CHECKING:  # for hints only: the schema machinery loads when a schema is built, not here
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.openapi import AutoSchema

# One endpoint as drf-spectacular lists them: (path, path regex, method, view).
Endpoint = tuple[str, str, str, Callable[..., HttpResponse]]
# The OpenAPI document: JSON, as drf-spectacular builds it.
Schema = dict[str, Any]

API_PREFIX = "/api/v1/"
ERROR_DESCRIPTIONS = {
    400: "Invalid request: each error names its field path, e.g. lesions[1].level",
    401: "Missing, invalid or revoked token",
    403: "The client lacks the scope this operation needs",
    404: "Not found, or not this client's",
    405: "Method not allowed",
    406: "Only application/json responses are offered",
    409: "Idempotency-Key reused with a different assessment",
    413: "Request body too large",
    415: "Send application/json",
    429: "Too many requests from this client; retry after the Retry-After seconds",
    503: "No ruleset is published, so no advice can be given",
}
COMMON_ERRORS = (401, 403, 405, 406, 429)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Document the error shape for the common codes and the ones given."""
    return {code: OpenApiResponse(ErrorOutputSerializer, description=ERROR_DESCRIPTIONS[code])
            for code in sorted({*COMMON_ERRORS, *codes})}


class ApiClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "options.api.auth.ApiClientAuthentication"
    name = "ApiClientToken"

    def get_security_definition(self, auto_schema: "AutoSchema") -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <token>`, as printed by `manage.py create_api_client`."}


def only_api_v1(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Keep only the versioned API in the schema (not the CDS Hooks service or pages)."""
    return [e for e in endpoints if e[0].startswith(API_PREFIX)]


LIST_LIMITS = {"lesions": MAX_LESIONS, "prior_treatments": MAX_PRIOR_TREATMENTS}


# A combination the validator refuses (options/validation.py): pregnant true with sex male.
NOT_PREGNANT_WHEN_MALE = {"required": ["sex", "pregnant"],
                          "properties": {"sex": {"enum": ["male"]}, "pregnant": {"enum": [True]}}}


def closed_input_objects(result: Schema, generator: "SchemaGenerator", request: Request | None,
                         public: bool) -> Schema:
    """State what the validator enforces and serializers cannot say: no unknown fields,
    list limits, no pregnant man, and a body that must be there."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Input") and component.get("type") == "object":
            component["additionalProperties"] = False
            if {"sex", "pregnant"} <= set(component["properties"]):
                component["not"] = NOT_PREGNANT_WHEN_MALE
            for field, limit in LIST_LIMITS.items():
                if field in component["properties"]:
                    component["properties"][field]["maxItems"] = limit
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True
    _add_scenario_examples(result)
    return result


def shared_scenarios() -> list[dict[str, Any]]:
    """Return the clinical scenarios, sorted by file name ([] if none are there)."""
    directory = settings.BONECARE_SCENARIOS_DIR
    if not directory.is_dir():
        return []
    return [json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(directory.glob("*.json"))]


def _add_scenario_examples(result: Schema) -> None:
    examples = {
        s["id"]: {"summary": f"{s['id']}: {s['title']}", "value": s["assessment"]}
        for s in shared_scenarios()
    }
    if not examples:
        return
    for path in ("/api/v1/evaluate", "/api/v1/consultations"):
        operation = result.get("paths", {}).get(path, {}).get("post")
        if operation:
            operation["requestBody"]["content"]["application/json"]["examples"] = examples
