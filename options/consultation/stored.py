"""Stored consultations read back as contract assessments in bulk: three queries, any number.

The same fields and the same rule as Consultation.to_assessment (unknown and blank left
out; an empty lesion or prior-treatment list kept only when it was recorded), without
building a model instance per row.
"""

from collections import defaultdict

from .models import ASSESSMENT_FIELDS, Consultation, Lesion, PriorTreatment


def _known(row, names):
    return {name: row[name] for name in names if row[name] is not None and row[name] != ""}


def stored_assessments(consultations=None, *, limit=None):
    """Return [(consultation id, cancer type, assessment)] newest first, without patient_ref."""
    queryset = (consultations if consultations is not None
                else Consultation.objects.all()).order_by("-created_at", "-id")
    fields = [name for name in ASSESSMENT_FIELDS if name != "patient_ref"]
    rows = list(queryset.values("id", "lesions_recorded", "prior_treatments_recorded",
                                *fields)[:limit])
    chosen = queryset.values("id")[:limit]  # a subquery: no parameter per consultation
    children = {"lesions": _children(Lesion, chosen, Lesion.CONTRACT_FIELDS),
                "prior_treatments": _children(PriorTreatment, chosen,
                                              PriorTreatment.CONTRACT_FIELDS)}
    found = []
    for row in rows:
        assessment = _known(row, fields)
        for key, recorded in (("lesions", "lesions_recorded"),
                              ("prior_treatments", "prior_treatments_recorded")):
            if row[recorded]:
                assessment[key] = children[key].get(row["id"], [])
        found.append((row["id"], row["cancer_type"], assessment))
    return found


def _children(model, chosen, names):
    by_parent = defaultdict(list)
    values = model.objects.filter(consultation_id__in=chosen).order_by(
        "consultation_id", "position").values("consultation_id", *names)
    for row in values:
        by_parent[row["consultation_id"]].append(_known(row, names))
    return by_parent
