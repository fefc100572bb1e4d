"""The contract is stated once, in the engine's vocabulary: a fact added there appears in the
validator, the REST API's schema and the consultation form, with nothing else to edit."""

import ast
import re
import types
from pathlib import Path

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from options.api.serializers import assessment_input_serializer
from options.rules import vocab
from options.validation import AssessmentInvalid, contract_validator, validate_assessment
from options.web.forms import assessment_form_class

ROOT = Path(__file__).resolve().parents[2]
NEW_FACT = ("frailty_score", ("number", 1, 10))


def vocabulary_with(name, kind):
    """Return a copy of the engine's vocabulary with one more patient fact."""
    names = {key: getattr(vocab, key) for key in vocab.__all__}
    return types.SimpleNamespace(**{**names, "PATIENT_FACTS": {**vocab.PATIENT_FACTS,
                                                                name: kind}})


@pytest.fixture
def extended():
    return vocabulary_with(*NEW_FACT)


def test_a_new_fact_is_validated_with_its_range(extended):
    validate = contract_validator(extended)
    assert validate({"cancer_type": "breast", "frailty_score": 4.5})["frailty_score"] == 4.5
    with pytest.raises(AssessmentInvalid) as refused:
        validate({"cancer_type": "breast", "frailty_score": 11})
    assert refused.value.errors == [
        {"path": "frailty_score", "message": "must be a number from 1 to 10, got 11"}]


def test_the_engine_vocabulary_itself_is_untouched(extended):
    with pytest.raises(AssessmentInvalid) as refused:
        validate_assessment({"cancer_type": "breast", "frailty_score": 4})
    assert refused.value.errors == [{"path": "frailty_score", "message": "unknown field"}]


def _schema(serializer):
    class Probe(APIView):
        @extend_schema(request=serializer, responses={204: None})
        def post(self, request):
            """Take an assessment."""

    generator = SchemaGenerator(patterns=[path("api/v1/probe", Probe.as_view())])
    return generator.get_schema(request=None, public=True)["components"]["schemas"]


def test_a_new_fact_appears_in_the_assessment_input_schema(extended):
    schemas = _schema(assessment_input_serializer(extended))
    variants = [ref["$ref"].rsplit("/", 1)[1] for ref in schemas["AssessmentInput"]["oneOf"]]
    assert len(variants) == 4
    for variant in variants:
        fact = schemas[variant]["properties"]["frailty_score"]
        assert (fact["type"], fact["minimum"], fact["maximum"]) == ("number", 1, 10)


def test_the_schema_carries_every_fact_of_the_vocabulary():
    schemas = _schema(assessment_input_serializer())
    properties = set()
    for ref in schemas["AssessmentInput"]["oneOf"]:
        properties |= set(schemas[ref["$ref"].rsplit("/", 1)[1]]["properties"])
    assert properties == {"patient_ref", "lesions", "prior_treatments", *vocab.PATIENT_FACTS}
    lesion_fields = set()
    for ref in schemas["LesionInput"]["oneOf"]:
        lesion_fields |= set(schemas[ref["$ref"].rsplit("/", 1)[1]]["properties"])
    assert lesion_fields == set(vocab.LESION_FIELDS_ENTERED)
    assert set(schemas["PriorTreatmentInput"]["properties"]) == set(vocab.PRIOR_FACTS)


def test_a_new_fact_appears_in_the_form_and_reaches_the_contract(extended):
    form_class = assessment_form_class(extended)
    assert "frailty_score" in form_class.base_fields
    form = form_class({"cancer_type": "breast", "frailty_score": "4,5"})
    assert form.is_valid(), form.errors
    assert form.contract() == {"cancer_type": "breast", "frailty_score": 4.5}


def _python_files():
    for package in ("options", "guidance", "bonecare"):
        yield from (ROOT / package).rglob("*.py")


def test_the_age_range_is_written_once():
    pattern = re.compile(r"\b18\b\D{1,12}\b120\b")
    files = [*_python_files(), *(ROOT / "templates").rglob("*.html")]
    places = [str(p.relative_to(ROOT)) for p in files if pattern.search(p.read_text())]
    assert places == ["options/rules/vocab.py"]


def _lists_of_safety_fields(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            names = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            if len(names & set(vocab.SAFETY_FIELDS)) >= 3:
                yield str(path.relative_to(ROOT))


def test_the_safety_fields_are_listed_once():
    places = [place for p in _python_files() for place in _lists_of_safety_fields(p)]
    assert places == ["options/rules/vocab.py"]
