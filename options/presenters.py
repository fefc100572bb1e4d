"""Turn a stored result into what the result and print pages show; never re-evaluate."""

import re
from dataclasses import dataclass, field

from guidance.models import GuidanceDocument, Rule

from .choices import label
from .forms import AssessmentForm, LesionForm, PriorTreatmentForm
from .models import TreatmentOption
from .rules import scores

# Status word and NHS tag colour: the word always says it, the colour only repeats it.
STATUS_TAGS = {
    "recommended": ("Recommended", "green"),
    "consider": ("Consider", "blue"),
    "not_recommended": ("Not recommended", "orange"),
    "contraindicated": ("Contraindicated", "red"),
    "not_applicable": ("Not applicable", "grey"),
    "needs_information": ("Needs information", "yellow"),
}
# Plain words for the patient page when a deciding rule has no patient text of its own.
PATIENT_STATUS_TEXT = {
    "recommended": "Your care team may offer you this treatment.",
    "consider": "This treatment might help you. Your care team will talk it through with you "
                "and other specialists before deciding.",
    "not_recommended": "This treatment is not usually advised for someone in your situation.",
    "contraindicated": "This treatment is not safe for you at the moment.",
    "not_applicable": "This treatment is not used for your type of cancer or the bones "
                      "affected.",
    "needs_information": "Your care team needs some more information, such as test results, "
                         "before they can say whether this treatment could help you.",
}
DISCUSSED = ("recommended", "consider")
ALERT_TITLES = {
    "mscc": "Emergency: signs of spinal cord compression",
    "unstable_spine": "Possible spinal instability: spinal surgical opinion",
    "orthopaedic_referral": "Orthopaedic referral",
    "out_of_scope": "Outside what these options are for",
}
_PATH = re.compile(r"^(lesions|prior_treatments)\[(\d+)\]\.(\w+)$")
_FIELD_LABELS = {
    **{name: f.label for name, f in AssessmentForm.base_fields.items()},
    **{name: f.label for name, f in LesionForm.base_fields.items()},
    **{name: f.label for name, f in PriorTreatmentForm.base_fields.items()},
    "lesions": "Bone lesions", "prior_treatments": "Pain and bone treatments so far",
}


def missing_label(path):
    """Return a readable name for a missing input path such as `lesions[0].level`."""
    match = _PATH.match(path)
    if match:
        name, index, field_name = match.groups()
        kind = "Lesion" if name == "lesions" else "Treatment"
        return f"{kind} {int(index) + 1}: {_FIELD_LABELS.get(field_name, field_name)}"
    return _FIELD_LABELS.get(path, path.replace("_", " ").capitalize())


@dataclass
class OptionView:
    slug: str
    name: str
    status: str
    status_text: str
    colour: str
    result: dict
    patient_description: str = ""
    patient_texts: list = field(default_factory=list)

    @property
    def discussed(self):
        return self.status in DISCUSSED

    def criteria(self, met):
        return [c for c in self.result.get("criteria", []) if c.get("met") is met]

    @property
    def criteria_met(self):
        return self.criteria(True)

    @property
    def criteria_unmet(self):
        return self.criteria(False)

    @property
    def criteria_unknown(self):
        return self.criteria(None)

    @property
    def missing(self):
        return [missing_label(path) for path in self.result.get("missing", [])]


def _cited_codes(result):
    codes = {alert.get("guidance") for alert in result.get("alerts", [])}
    for option in result.get("options", []):
        for item in option.get("reasons", []) + option.get("criteria", []):
            codes.add(item.get("guidance"))
    return sorted(code for code in codes if code)


def consultation_view(consultation, *, patient=False):
    """Return the context that shows a consultation's stored advice."""
    result = consultation.result
    names = {o.slug: o for o in TreatmentOption.objects.all()}
    texts = _patient_texts(consultation) if patient else {}
    options = []
    for item in result.get("options", []):
        word, colour = STATUS_TAGS.get(item["status"], (label(item["status"]), "white"))
        row = names.get(item["option"])
        view = OptionView(slug=item["option"], name=row.name if row else label(item["option"]),
                          status=item["status"], status_text=word, colour=colour, result=item,
                          patient_description=row.patient_description if row else "")
        if patient:
            view.patient_texts = [texts[r["rule"]] for r in item.get("reasons", [])
                                  if texts.get(r.get("rule"))] or [
                PATIENT_STATUS_TEXT.get(item["status"], "")]
        options.append(view)
    documents = {d.code: d for d in GuidanceDocument.objects.filter(
        code__in=_cited_codes(result))}
    for view in options:
        view.result = _with_urls(view.result, documents)
    return {
        "consultation": consultation,
        "options": options,
        "alerts": [{**_linked(alert, documents),
                    "title": ALERT_TITLES.get(alert.get("code"), label(alert.get("code", "")))}
                   for alert in result.get("alerts", [])],
        "mscc": any(a.get("code") == "mscc" for a in result.get("alerts", [])),
        "scores": _scores(consultation, result),
        "documents": [documents[c] for c in sorted(documents)],
        "ruleset_version": consultation.ruleset_version,
    }


def _linked(item, documents):
    document = documents.get(item.get("guidance"))
    return {**item, "url": document.url if document else ""}


def _with_urls(option, documents):
    """Return a copy of one option's result with each cited document's address added."""
    return {**option,
            "reasons": [_linked(r, documents) for r in option.get("reasons", [])],
            "criteria": [_linked(c, documents) for c in option.get("criteria", [])]}


def _patient_texts(consultation):
    if consultation.ruleset_id is None:
        return {}
    return dict(Rule.objects.filter(ruleset_id=consultation.ruleset_id)
                .exclude(patient_text="").values_list("code", "patient_text"))


def _scores(consultation, result):
    lesions = {lesion.position: lesion for lesion in consultation.lesions.all()}
    scores = []
    for score in result.get("scores", []):
        lesion = lesions.get(score.get("lesion"))
        where = f"{label(lesion.site)} {lesion.level}".strip() if lesion else ""
        if "sins" in score:
            name, value, band = "SINS", score["sins"], score.get("sins_band", "")
        else:
            name, value, band = "Mirels", score.get("mirels"), score.get("mirels_band", "")
        scores.append({"lesion": score.get("lesion", 0) + 1, "where": where, "name": name,
                       "value": value, "band": label(band) if band else ""})
    return scores


def score_tables():
    """Return the SINS and Mirels point tables and bands for the form's live scores."""
    return {
        "sins": {
            "level": scores.SINS_LOCATION, "pain": scores.SINS_PAIN,
            "lesion_type": scores.SINS_LESION, "alignment": scores.SINS_ALIGNMENT,
            "collapse": scores.SINS_COLLAPSE, "posterolateral": scores.SINS_POSTEROLATERAL,
            "bands": {n: label(scores.sins_band(n)) for n in range(0, 19)},
        },
        "mirels": {
            "site": scores.MIRELS_SITE, "pain": scores.MIRELS_PAIN,
            "lesion_type": scores.MIRELS_LESION,
            "cortical_involvement": scores.MIRELS_SIZE,
            "bands": {n: label(scores.mirels_band(n)) for n in range(4, 13)},
        },
    }


def lesion_score(values):
    """Return "SINS 10 (Indeterminate)" or "Mirels 7 (Low)" when the findings allow, else ""."""
    tables = score_tables()
    for name in ("sins", "mirels"):
        table = tables[name]
        keys = [key for key in table if key != "bands"]
        if name == "sins" and values.get("site") != "spine":
            continue
        try:
            total = sum(table[key][values[key]] for key in keys)
        except KeyError:
            continue
        return f"{'SINS' if name == 'sins' else 'Mirels'} {total} ({table['bands'][total]})"
    return ""
