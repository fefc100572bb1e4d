"""The engine's result as CDS Hooks 2.0 cards. No Django.

patient-view: cord compression first, as its own critical card, then one summary card.
order-select / order-sign: the same critical card first, whatever was ordered; then a card
per bone-strengthening order whose option is not recommended (warning), contraindicated
(critical), not applicable (warning, saying why) or needs information (info, with "Open in
BoneCare"). Missing inputs are named in words (options.choices.missing_words); anything
quoted from FHIR is made inert Markdown (`inert`). Beside each option, the values that decided
it in the result page's words (options.consultation.values, which the service passes in: it reads
the ruleset, so it is not called from here).
"""

import re
import uuid as uuid_module
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict

from fhir_core.fhirabstractmodel import FHIRAbstractModel

from options.choices import label, missing_grouped, summary_in_words
from options.rules import vocab

from .mapping import Mapped

# JSON, as the engine writes its result and CDS Hooks reads a card.
Result = Mapping[str, Any]  # the engine's result
OptionResult = Mapping[str, Any]  # one option of it
Card = dict[str, Any]
Values = Mapping[str, Sequence[str]]  # {option: the values that decided it, in words}


class Link(TypedDict):
    """A card's link (CDS Hooks 2.0 Link): "absolute" opens `url` as it is; "smart" is a SMART
    launch URL the EHR launches, handing `appContext` to the app in its token response."""

    label: str
    type: Literal["absolute", "smart"]
    url: str
    appContext: NotRequired[str]


SUMMARY_LIMIT = 139  # CDS Hooks: a summary under 140 characters
LABELS = {option: label(option).lower() for option in vocab.OPTIONS}  # within a sentence
STATUS_WORDS = {"recommended": "recommended", "consider": "to consider",
                "not_recommended": "not recommended", "contraindicated": "contraindicated",
                "not_applicable": "not applicable", "needs_information": "needs information"}
PROCEDURES = vocab.PROCEDURES
ORDER_INDICATOR = {"not_recommended": "warning", "contraindicated": "critical",
                   "not_applicable": "warning", "needs_information": "info"}
OVERRIDE_SYSTEM = "urn:bonecare:override-reason"
ENTER_IN_BONECARE = ("\nImaging findings and clinical judgements are not in the record: "
                     "answer them in BoneCare (Open in BoneCare).")
ALERT_SUMMARIES = {"mscc": "Possible spinal cord compression: contact the MSCC coordinator "
                           "now"}
# Every ASCII punctuation mark that can open Markdown or GitHub's autolinks ("http:",
# "www.", "a@b"): escaped with a backslash, which CommonMark allows before any of them.
_MARKDOWN = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~:@&^$=]")


def inert(text: object) -> str:
    """Return text quoted from FHIR as Markdown that shows it as written: on one line, no
    link, image, HTML, emphasis or autolink can come of it."""
    return _MARKDOWN.sub(lambda m: "\\" + m.group(0), " ".join(str(text).split()))


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def _words(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _short(text: str) -> str:
    return text if len(text) <= SUMMARY_LIMIT else text[:SUMMARY_LIMIT - 1] + "…"


def source(result: Result | None, *, url: str) -> dict[str, str]:
    """Return the card source: BoneCare and the guidance its advice cited."""
    cited = []
    for option in result["options"] if result else []:
        cited += [r["guidance"] for r in option["reasons"] if r.get("guidance")]
    names = list(dict.fromkeys(cited))[:3]
    label = "BoneCare (NICE " + ", ".join(names) + (", …)" if len(cited) > 3 else ")") \
        if names else "BoneCare"
    return {"label": label, "url": url}


def summary_text(result: Result) -> str:
    """Name the options that stand, then what the rest need, in under 140 characters."""
    by_status = {}
    for option in result["options"]:
        by_status.setdefault(option["status"], []).append(option["option"])
    if "out_of_scope" in {a["code"] for a in result["alerts"]} and not (
            set(by_status) & set(vocab.ACTIVE_STATUSES)):
        return "Bone: outside the NICE guidance BoneCare covers"
    parts = [f"{_words(LABELS[o] for o in by_status[s])} {STATUS_WORDS[s]}"
             for s in ("recommended", "consider", "contraindicated", "not_recommended")
             if s in by_status]
    waiting = by_status.get("needs_information", [])
    if waiting:
        procedures = [o for o in waiting if o in PROCEDURES]
        if len(procedures) == len(waiting):
            parts.append(f"{len(procedures)} procedure{'s' if len(procedures) > 1 else ''}"
                         " need imaging details")
        else:
            parts.append(f"{_words(LABELS[o] for o in waiting)} need information")
    return _short("Bone: " + "; ".join(parts))


def _indicator(result: Result) -> str:
    severities = {a["severity"] for a in result["alerts"]}
    if "critical" in severities:
        return "critical"
    statuses = {o["status"] for o in result["options"]}
    return "warning" if "warning" in severities or "contraindicated" in statuses else "info"


def _deciding(option: OptionResult) -> Mapping[str, Any] | None:
    """Return the reason of the rule that set the option's status (a safety stop, not the
    eligibility it overrode), or None where no rule has decided it yet."""
    code = option.get("decided_by")
    found = [r for r in [*option["reasons"], *(option.get("not_now") or [])]
             if r.get("rule") == code]
    return found[0] if code and found else None


def _option_line(option: OptionResult, assessment: Mapping[str, object],
                 values: Sequence[str] | None = ()) -> str:
    reason = _deciding(option)
    cited = f" ({reason['guidance']} {reason['section']}, {reason['rule']})" if reason else ""
    line = (f"- **{LABELS[option['option']].capitalize()}**: "
            f"{STATUS_WORDS[option['status']]}. {summary_in_words(option, assessment)}{cited}")
    if option["missing"] and option["status"] != "needs_information":
        line += f" Missing: {'; '.join(missing_grouped(option['missing'], assessment))}."
    if values:  # the result page's words; they hold values mapped from FHIR, so inert
        line += f"\n  - **Values used:** {inert('; '.join(values))}."
    return line


def detail_text(result: Result, mapped: Mapped, values: Values | None = None) -> str:
    """Markdown: each option with status, reason, source and the values that decided it
    (`values`: {option: [values in words]}), then what FHIR could not say."""
    values = values or {}
    lines = [f"**{a['severity'].capitalize()}**: {a['text']}" for a in result["alerts"]]
    lines += [_option_line(o, mapped.assessment, values.get(o["option"]))
              for o in result["options"]]
    lines += _record_lines(mapped)
    return "\n".join(lines)


def _record_lines(mapped: Mapped) -> list[str]:
    """What the record holds that was not used: each line quotes FHIR, so each is inert."""
    lines = []
    if mapped.context:
        lines += ["", "From the record, not used as answers:"]
        lines += [f"- {inert(text)}" for text in mapped.context]
    if mapped.unrecognised:
        lines += ["", "Codes not recognised (not used): "
                  + ", ".join(inert(code) for code in mapped.unrecognised)]
    return lines


def extension(mapped: Mapped, result: Result | None,
              **extra: object) -> dict[str, dict[str, object]]:
    return {"bonecare": {"assessment": mapped.assessment, "result": result,
                         "unrecognised_codes": mapped.unrecognised,
                         "context": mapped.context, **extra}}


def alert_cards(result: Result, mapped: Mapped, *, url: str,
                new_uuid: Callable[[], str] = new_uuid) -> list[Card]:
    """Return a critical card of its own for each critical alert (cord compression)."""
    return [{"uuid": new_uuid(), "indicator": "critical",
             "summary": _short(ALERT_SUMMARIES.get(alert["code"], alert["text"])),
             "detail": alert["text"], "source": source(result, url=url),
             "extension": extension(mapped, result)}
            for alert in result["alerts"] if alert["severity"] == "critical"]


def patient_view_cards(result: Result, mapped: Mapped, *, links: Sequence[Link], url: str,
                       values: Values | None = None,
                       new_uuid: Callable[[], str] = new_uuid) -> list[Card]:
    """Return the patient-view cards: cord compression first, then the summary card."""
    cards = alert_cards(result, mapped, url=url, new_uuid=new_uuid)
    cards.append({"uuid": new_uuid(), "indicator": _indicator(result),
                  "summary": summary_text(result),
                  "detail": detail_text(result, mapped, values),
                  "source": source(result, url=url), "links": links,
                  "extension": extension(mapped, result)})
    return cards


def question_card(mapped: Mapped, *, missing: Sequence[str], links: Sequence[Link], url: str,
                  new_uuid: Callable[[], str] = new_uuid) -> Card:
    """Return the card shown when the record does not say enough to evaluate at all."""
    needed = "; ".join(missing_grouped(missing)).lower()
    detail = "\n".join([f"BoneCare needs the {needed} before it can advise: the record does "
                        "not say. Open BoneCare to answer.", *_record_lines(mapped)])
    return {"uuid": new_uuid(), "indicator": "info",
            "summary": _short(f"Bone: BoneCare needs the {needed} to advise"),
            "detail": detail, "source": {"label": "BoneCare", "url": url}, "links": links,
            "extension": extension(mapped, None, missing=missing)}


def _order_summary(option: OptionResult, assessment: Mapping[str, object]) -> str:
    name = LABELS[option["option"]].capitalize()
    status = option["status"]
    if status == "needs_information":
        return f"{name} needs information: " + "; ".join(
            missing_grouped(option["missing"], assessment))
    if status == "not_applicable":  # say why: silence would read as approval
        return f"{name}: not applicable. {summary_in_words(option, assessment)}"
    return f"{name}: {STATUS_WORDS[status]} for this patient (NICE)"


def order_card(order: FHIRAbstractModel, option: OptionResult, mapped: Mapped,
               result: Result | None, *, reasons: Iterable[tuple[str, str]], url: str,
               links: Sequence[Link] = (), values: Sequence[str] = (),
               new_uuid: Callable[[], str] = new_uuid) -> Card | None:
    """Return the card for one draft order whose option does not stand, or None; `values`:
    the values that decided the option, in words."""
    status = option["status"]
    indicator = ORDER_INDICATOR.get(status)
    if indicator is None:
        return None
    label = LABELS[option["option"]]
    card = {"uuid": new_uuid(), "indicator": indicator,
            "summary": _short(_order_summary(option, mapped.assessment)),
            "detail": "\n".join([_option_line(option, mapped.assessment, values),
                                 *([ENTER_IN_BONECARE] if status == "needs_information" else []),
                                 *_record_lines(mapped)]),
            "source": source(result, url=url),
            "extension": extension(mapped, result, option=option["option"], status=status)}
    if status == "needs_information" and links:
        card["links"] = list(links)
    if indicator in ("warning", "critical"):
        card["overrideReasons"] = [{"system": OVERRIDE_SYSTEM, "code": code, "display": text}
                                   for code, text in reasons]
        card["selectionBehavior"] = "at-most-one"
        card["suggestions"] = [{
            "uuid": new_uuid(), "label": f"Remove the {label} order", "isRecommended": False,
            "actions": [{"type": "delete", "description": f"Remove the draft {label} order",
                         "resourceId": [f"{order.get_resource_type()}/{order.id}"]}]}]
    return card
