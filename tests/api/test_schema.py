"""The OpenAPI document and the offline docs page."""

import pytest
from django.core.management import call_command

from options import vocab


@pytest.fixture
def schema(anonymous_client):
    response = anonymous_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_validates(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file",
                 str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_schema_documents_every_v1_operation_and_nothing_else(schema):
    assert set(schema["paths"]) == {
        "/api/v1/evaluate", "/api/v1/consultations", "/api/v1/consultations/{id}",
        "/api/v1/options", "/api/v1/guidance", "/api/v1/rulesets/current", "/api/v1/whoami"}


def test_schema_uses_the_contract_enums(schema):
    components = schema["components"]["schemas"]
    assert components["SpineLevelEnum"]["enum"] == list(vocab.SPINE_LEVELS)
    assert components["StatusEnum"]["enum"] == list(vocab.STATUSES)
    assert components["OptionEnum"]["enum"] == list(vocab.OPTIONS)
    cancers = {value for name, c in components.items() if name.endswith("CancerTypeEnum")
               for value in c["enum"]}
    assert cancers == set(vocab.CANCER_TYPES)


def test_schema_examples_are_the_shared_scenarios(schema):
    from .helpers import scenario, scenario_files

    examples = (schema["paths"]["/api/v1/evaluate"]["post"]["requestBody"]["content"]
                ["application/json"]["examples"])
    assert set(examples) == {p.stem for p in scenario_files()}
    assert examples["V01"]["value"] == scenario("V01")["assessment"]


def test_schema_declares_token_auth(schema):
    assert schema["components"]["securitySchemes"]["ApiClientToken"]["name"] == "Authorization"
    assert schema["paths"]["/api/v1/evaluate"]["post"]["security"] == [{"ApiClientToken": []}]


def test_docs_page_works_offline(anonymous_client):
    response = anonymous_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_schema_refuses_a_pregnant_man_as_the_validator_does(schema, ehr_client,
                                                            published_ruleset):
    """The schema says what the validator refuses, so a generator never sends it as valid."""
    import jsonschema

    body = {"cancer_type": "breast", "sex": "male", "pregnant": True}
    component = schema["components"]["schemas"]["OtherCancerAssessmentInput"]
    refs = {"$ref": "#/components/schemas/OtherCancerAssessmentInput", **schema}
    assert "not" in component
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, refs)
    jsonschema.validate({**body, "pregnant": False}, refs)
    response = ehr_client.post("/api/v1/evaluate", body, format="json")
    assert response.status_code == 400
    assert {e["path"] for e in response.json()["errors"]} == {"sex", "pregnant"}
