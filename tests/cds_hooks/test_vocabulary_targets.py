"""The FHIR mapping writes the contract's own fields and values, read from the vocabulary.

A code list that names assessment values may only hold values of the vocabulary, and what the
mapping makes of every example passes the contract's one validator.
"""

import datetime

import pytest

from guidance.codes import CODE_LISTS
from guidance.drafting import shipped_code_lists
from guidance.selectors import code_lists_published
from options.cds_hooks.fhir import request_parse
from options.cds_hooks.mapping import assessment_from_fhir
from options.rules import vocab
from options.validation import validate_assessment

from .helpers import example, example_files

VALUES_FROM_VOCABULARY = {
    "cancer_type": set(vocab.CANCER_TYPES),
    "prostate_hormone_status": set(vocab.PROSTATE_HORMONE_STATUSES),
    "bone_drug": set(vocab.MEDICINES),
    "procedure_order": set(vocab.PROCEDURES),
}


@pytest.mark.parametrize("name", sorted(VALUES_FROM_VOCABULARY))
def test_a_code_lists_values_are_the_vocabularys(name):
    assert set(CODE_LISTS[name].values) <= VALUES_FROM_VOCABULARY[name]


def test_the_options_are_the_medicines_then_the_procedures():
    assert vocab.OPTIONS == vocab.MEDICINES + vocab.PROCEDURES


def test_every_shipped_code_has_a_value_its_list_allows():
    for entry in shipped_code_lists():
        allowed = CODE_LISTS[entry["code_list"]].values
        assert not allowed or entry["value"] in allowed, entry


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_each_examples_mapping_is_a_valid_assessment(path, published_ruleset):
    body = example(path.stem)["request"]
    request = request_parse(body, hook=body["hook"])
    mapped = assessment_from_fhir(request.prefetch, codes=code_lists_published(),
                                  today=datetime.date(2026, 11, 27))
    assert set(mapped.assessment) <= {"patient_ref", *vocab.PATIENT_FACTS}
    assert validate_assessment(mapped.assessment) == mapped.assessment
