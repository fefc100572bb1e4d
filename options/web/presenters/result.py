"""Turn a stored result into what the result and print pages show; never re-evaluate."""

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

from guidance.models import Rule
from guidance.selectors import (
    citations_for,
    define_names,
    replacements_for,
    ruleset_bonecare_defaults,
    ruleset_text_sources,
)

from ...choices import label, missing_in_words, summary_in_words
from ...consultation.citations import citation_of, citation_view
from ...consultation.models import Consultation, TreatmentOption
from ...consultation.values import option_values
from ...rules.texts import TextError, render
from . import inputs
from .patient import PATIENT_STATUS_TEXT, alert_patient_view, patient_groups
from .scoring import score_views

# Status word and NHS tag colour: the word always says it, the colour only repeats it.
STATUS_TAGS = {
    "recommended": ("Recommended", "green"),
    "consider": ("Consider", "blue"),
    "not_recommended": ("Not recommended", "orange"),
    "contraindicated": ("Contraindicated", "red"),
    "not_applicable": ("Not applicable", "grey"),
    "needs_information": ("Needs information", "yellow"),
}
DISCUSSED = ("recommended", "consider")
ALERT_TITLES = {
    "mscc": "Emergency: signs of spinal cord compression",
    "unstable_spine": "Spinal instability: urgent spinal surgical opinion",
    "orthopaedic_referral": "Orthopaedic referral",
    "out_of_scope": "Outside what these options are for",
}
# Editors' references ("open question Q6") belong in the editor-only note; results stored
# before they moved there still carry some, and no clinician or patient should read them.
_INTERNAL = re.compile(
    r"\s*\((?:see\s+)?(?:open\s+questions?\s+)?Q\d+(?:\s*(?:,|and|/)\s*Q\d+)*\)"
    r"|\s*\bopen\s+questions?\s+Q\d+\b", re.IGNORECASE)

T = TypeVar("T")
Documents = Mapping[str, SimpleNamespace]  # code -> citation (citations.citation_view)


def scrub(value: T) -> T:
    """Return the value with every editor-only reference taken out of its strings."""
    if isinstance(value, str):
        return _INTERNAL.sub("", value)
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    return value


class RuleRows:
    """The consultation's rule rows, read once and only for a result stored before reasons
    carried their own patient text and temporary flag and options named their deciding rule.
    """

    def __init__(self, consultation: Consultation) -> None:
        self.ruleset_id = consultation.ruleset_id
        self.legacy = any("decided_by" not in o for o in consultation.result.get("options", []))
        self._rows = None

    def get(self, code: str | None) -> tuple[str, bool]:
        """Return (patient text rendered from its rule's data, temporary) for a rule code."""
        if self._rows is None:
            self._rows = self._load() if self.legacy and self.ruleset_id else {}
        return self._rows.get(code, ("", False))

    def _load(self) -> dict[str, tuple[str, bool]]:
        rows = Rule.objects.filter(ruleset_id=self.ruleset_id)
        defines = define_names(self.ruleset_id)
        return {code: (_rendered(text, condition, defines), temporary) for code, text,
                condition, temporary in rows.values_list("code", "patient_text", "condition",
                                                         "temporary")}

    def patient_text(self, reason: Mapping[str, object]) -> str:
        """Return the patient words stored with a reason, or for an old result its rule's."""
        if "patient_text" in reason or not self.legacy:
            return reason.get("patient_text", "")
        return self.get(reason.get("rule"))[0]


def _rendered(text: str, condition: dict[str, object], defines: Mapping[str, object]) -> str:
    """Return a rule's text with its thresholds filled in, or "" if it no longer renders."""
    try:
        return render(text, condition, defines)
    except TextError:
        return ""


def decided_by(item: Mapping[str, object],
               pending: Sequence[dict[str, object]] = ()) -> dict[str, object] | None:
    """Return the reason of the rule that set the final status, or None."""
    reasons = item.get("reasons", [])
    if "decided_by" not in item:  # stored before the engine named it
        if item.get("status") == "needs_information" or not reasons:
            return None
        return reasons[0] if item.get("status") in DISCUSSED else reasons[-1]
    code = item["decided_by"]
    if code is None:
        return None
    found = [r for r in [*reasons, *pending] if r.get("rule") == code]
    return found[0] if found else {"rule": code, "guidance": "", "section": "", "text": ""}


def not_now(item: Mapping[str, object], rows: RuleRows) -> list[dict[str, object]]:
    """Return what must happen first, for an option that stands but not yet."""
    if "not_now" in item:
        return item["not_now"] or []
    reasons = item.get("reasons", [])
    if item.get("hold"):  # stored before not_now: hold reasons follow the eligibility rule
        return reasons[1:]
    return [r for r in reasons if rows.get(r.get("rule"))[1]]


@dataclass
class OptionView:
    """One option of the stored advice as the result, print and patient pages show it."""

    slug: str
    name: str
    status: str
    status_text: str
    colour: str
    result: dict[str, object]
    decided: dict[str, object] | None = None
    not_now: list[dict[str, object]] = field(default_factory=list)
    patient_description: str = ""
    patient_texts: list[str] = field(default_factory=list)
    not_now_patient_texts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in words (choices.missing_words)
    values: list[str] = field(default_factory=list)  # the values its deciding rules compared
    # conditions, cautions, notes with a source
    sourced: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    conditions_as_for: str = ""  # the print: an earlier option whose conditions these repeat
    # ...and the ones added to them
    conditions_besides: list[dict[str, object]] = field(default_factory=list)

    @property
    def conditions(self) -> list[dict[str, object]]:
        """Its conditions, each with its source and any BoneCare-default label."""
        return _conditions(self)

    @property
    def discussed(self) -> bool:
        return self.status in DISCUSSED and not self.not_now

    def criteria(self, met: bool | None) -> list[dict[str, object]]:
        return [c for c in self.result.get("criteria", []) if c.get("met") is met]

    @property
    def criteria_met(self) -> list[dict[str, object]]:
        return self.criteria(True)

    @property
    def criteria_unmet(self) -> list[dict[str, object]]:
        return self.criteria(False)

    @property
    def criteria_unknown(self) -> list[dict[str, object]]:
        return self.criteria(None)

    @property
    def decided_said_first(self) -> bool:
        """True when the deciding rule is the hold itself, already said as what comes first."""
        return bool(self.decided) and any(r.get("rule") == self.decided.get("rule")
                                          for r in self.not_now)

    @property
    def not_now_said(self) -> bool:
        """True when the stored summary already says what must happen first."""
        summary = self.result.get("summary", "")
        return bool(self.not_now) and all(r.get("text", "") in summary for r in self.not_now)

    @property
    def other_reasons(self) -> list[dict[str, object]]:
        """The rules applied besides the deciding one (an overridden eligibility rule)."""
        skip = {r.get("rule") for r in self.not_now} | {(self.decided or {}).get("rule")}
        return [r for r in self.result.get("reasons", []) if r.get("rule") not in skip]


def _option_view(item: Mapping[str, object], row: TreatmentOption | None, documents: Documents,
                 rows: RuleRows, assessment: Mapping[str, object] | None) -> OptionView:
    item = scrub(item)
    item = {**item, "summary": summary_in_words(item, assessment)}
    pending = [_linked(r, documents) for r in not_now(item, rows)]
    item = _with_urls(item, documents)
    word, colour = STATUS_TAGS.get(item["status"], (label(item["status"]), "white"))
    view = OptionView(slug=item["option"], name=row.name if row else label(item["option"]),
                      status=item["status"], status_text=word, colour=colour, result=item,
                      decided=decided_by(item, pending), not_now=pending,
                      patient_description=row.patient_description if row else "",
                      missing=missing_in_words(item.get("missing", []), assessment))
    view.not_now_patient_texts = [t for t in (rows.patient_text(r) for r in view.not_now) if t]
    waits = {r.get("rule") for r in view.not_now}
    deciding = [r for r in item.get("reasons", []) if r.get("rule") not in waits] if (
        waits) else ([view.decided] if view.decided else item.get("reasons", []))
    view.patient_texts = [t for t in (rows.patient_text(r) for r in deciding)
                          if t and t not in view.not_now_patient_texts] or [
        PATIENT_STATUS_TEXT.get(item["status"], "")]
    return view


def cited_documents(consultation: Consultation) -> dict[str, SimpleNamespace]:
    """Return {code: citation} as the advice was shown, kept with the consultation; one query.

    Only a consultation stored before citations were kept (and not backfilled) reads the
    documents as they are now. A replacement made since is added, marked `replaced_since`.
    """
    citations = consultation.citations or citations_for(consultation.result)
    documents = {c["code"]: citation_view(c) for c in citations}
    # A replacement made since is a fact about the guidance now, worth knowing beside
    # advice given before it; the citation itself stays as it was shown.
    for code, replacement in replacements_for(documents).items():
        if replacement != documents[code].replaced_by:
            documents[code].replaced_by, documents[code].replaced_since = replacement, True
    return documents


def _stored(consultation: Consultation) -> Callable[[str], object]:
    """Return a reader of a consultation's stored top-level facts (None where not stored)."""
    return lambda name: getattr(consultation, name, None)


def consultation_view(consultation: Consultation, *, patient: bool = False) -> dict[str, Any]:
    """Return the context that shows a consultation's stored advice."""
    result = consultation.result
    names = {o.slug: o for o in TreatmentOption.objects.all()}
    rows = RuleRows(consultation)
    documents = cited_documents(consultation)
    assessment = _named_items(consultation, result)
    options = [_option_view(item, names.get(item["option"]), documents, rows, assessment)
               for item in result.get("options", [])]
    if not patient:
        sources = ruleset_text_sources(consultation.ruleset)
        for view in options:
            view.values = option_values(view.result, ruleset=consultation.ruleset,
                                        value_of=_stored(consultation),
                                        result=result)
            view.sourced = {kind: [{"text": text, **_source_of(sources, view.slug, text)}
                                   for text in view.result.get(kind, [])]
                            for kind in ("conditions", "cautions", "notes")}
        _cite_also(documents, consultation, result, options)
        for view in options:
            view.sourced = {kind: [_linked(item, documents) for item in items]
                            for kind, items in view.sourced.items()}
    alerts = [{**_linked(scrub(alert), documents),
               "title": ALERT_TITLES.get(alert.get("code"), label(alert.get("code", "")))}
              for alert in result.get("alerts", [])]
    if not patient:
        _label_defaults(ruleset_bonecare_defaults(consultation.ruleset), options, alerts)
    context = {
        "consultation": consultation,
        "options": options,
        "alerts": alerts,
        "mscc": any(a.get("code") == "mscc" for a in alerts),
        "scores": score_views(consultation, result),
        "documents": [documents[c] for c in sorted(documents)],
        "ruleset_version": consultation.ruleset_version,
    }
    if patient:
        context["groups"] = patient_groups(options)
        context["patient_alerts"] = [
            alert_patient_view(a, rows.patient_text(a)) for a in alerts]
    return context


def _conditions(view: OptionView) -> list[dict[str, object]]:
    """Return an option's conditions with their source and default label where known."""
    return view.sourced.get("conditions") or [{"text": text}
                                              for text in view.result.get("conditions", [])]


def conditions_said_once(options: list[OptionView]) -> list[OptionView]:
    """Mark each option whose conditions repeat all of an earlier one's, for the print.

    Vertebroplasty and balloon kyphoplasty share four conditions; on one A4 page they are
    said once and the later option reads "as for vertebroplasty" plus what it adds.
    """
    for index, view in enumerate(options):
        own = view.result.get("conditions", [])
        for earlier in options[:index]:
            shared = earlier.result.get("conditions", [])
            if len(shared) > 1 and own[:len(shared)] == shared:
                view.conditions_as_for = earlier.name
                view.conditions_besides = _conditions(view)[len(shared):]
                break
    return options


def _source_of(sources: Mapping[tuple[str, str], Mapping[str, object]], option: str,
               text: str) -> dict[str, object]:
    reason = sources.get((option, text))
    return {"guidance": reason["guidance"], "section": reason["section"],
            "rule": reason["rule"]} if reason else {}


def _label_defaults(codes: Collection[str], options: Iterable[OptionView],
                    alerts: Iterable[dict[str, object]]) -> None:
    """Mark every shown item whose rule is BoneCare's own default (where the guidance is
    silent or unclear), so that it is never read as NICE's."""
    if not codes:
        return
    for view in options:
        items = [*view.not_now, *view.other_reasons, *(item for items in view.sourced.values()
                                                       for item in items)]
        if view.decided:
            items.append(view.decided)
        for item in items:
            if item.get("rule") in codes:
                item["bonecare_default"] = True
    for alert in alerts:
        if alert.get("rule") in codes:
            alert["bonecare_default"] = True


SCORE_DOCUMENTS = {"sins": "SINS-2010", "mirels": "MIRELS-1989"}


def _cite_also(documents: dict[str, SimpleNamespace], consultation: Consultation,
               result: Mapping[str, object], options: Iterable[OptionView]) -> None:
    """Add to the cited documents those that a shown condition, caution or note cites, and
    the score's own paper wherever a score is shown, as the ruleset that gave the advice
    holds them (a ruleset's documents never change once it has given advice)."""
    codes = {item.get("guidance") for view in options for items in view.sourced.values()
             for item in items}
    codes |= {SCORE_DOCUMENTS[kind] for entry in result.get("scores", [])
              for kind in SCORE_DOCUMENTS if kind in entry}
    codes -= set(documents) | {None, ""}
    if codes and consultation.ruleset_id is not None:
        for document in consultation.ruleset.documents.filter(code__in=codes):
            documents[document.code] = citation_view(citation_of(document))


def _named_items(consultation: Consultation,
                 result: Mapping[str, object]) -> dict[str, object] | None:
    """Return the stored assessment when a missing path names a lesion or a treatment (so
    that it is said as "Lesion 1 (L2)"), else None: no query for the common case."""
    paths = [p for o in result.get("options", []) for p in o.get("missing", [])]
    return consultation.to_assessment() if any("[" in p for p in paths) else None


def inputs_view(consultation: Consultation) -> dict[str, Any]:
    """Return the inputs the stored decision used, for the clinician's record."""
    result = consultation.result
    scores = {}
    for score in score_views(consultation, result):
        scores.setdefault(score["lesion"], []).append(score)
    lesions = [{"number": lesion.position + 1,
                "where": f"{label(lesion.site)} {lesion.level}".strip(),
                "findings": inputs.lesion_findings(lesion),
                "scores": scores.get(lesion.position + 1, [])}
               for lesion in consultation.lesions.all()]
    return {
        "cancer": inputs.cancer_rows(consultation),
        "patient": inputs.patient_rows(consultation),
        "labs": inputs.lab_rows(consultation, result),
        "safety": inputs.safety_rows(consultation),
        "lesions": lesions,
        "lesions_text": "" if lesions else (
            "None" if consultation.lesions_recorded else inputs.NOT_KNOWN),
        "priors": inputs.prior_rows(consultation),
    }


def _linked(item: Mapping[str, object], documents: Documents) -> dict[str, object]:
    document = documents.get(item.get("guidance"))
    return {**item, "url": document.url if document else "",
            "replaced_by": document.replaced_by if document else ""}


def _with_urls(option: Mapping[str, object], documents: Documents) -> dict[str, object]:
    """Return a copy of one option's result with each cited document's address added."""
    return {**option,
            "reasons": [_linked(r, documents) for r in option.get("reasons", [])],
            "criteria": [_linked(c, documents) for c in option.get("criteria", [])]}
