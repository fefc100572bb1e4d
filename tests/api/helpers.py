"""Small builders for API tests."""

import json

from django.conf import settings
from rest_framework.test import APIClient

from options.api.services import api_client_create


def scenario_files():
    """Return the shared scenario files, sorted."""
    return sorted(settings.BONECARE_SCENARIOS_DIR.glob("*.json"))


def scenario(name):
    """Return one shared scenario by id, e.g. 'V01'."""
    path = settings.BONECARE_SCENARIOS_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def minimal_assessment(**overrides):
    """A small valid assessment: breast cancer with bone metastases."""
    return {"cancer_type": "breast", "bone_metastases": True, **overrides}


def http_for(*, name, scopes):
    """Return (APIClient with the new client's token, client row, token)."""
    client_row, token = api_client_create(name=name, scopes=scopes)
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return http, client_row, token
