"""The patient sheet: plain words, and each option in the group it belongs to."""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # result.py imports this module to build the sheet
    from .result import OptionView

# Plain words when a deciding rule has no patient text of its own (results stored before
# rules carried one, or a rule an editor left without).
PATIENT_STATUS_TEXT = {
    "recommended": "Your team may offer you this.",
    "consider": "This may help you. Your team will talk it through with you first.",
    "not_recommended": "This is not the right choice for you.",
    "contraindicated": "This is not safe for you.",
    "not_applicable": "This does not fit your kind of cancer or the bones that are hurt.",
    "needs_information": "Your team needs to know a bit more first, such as a test result.",
}
# What an alert means, in plain words, when the stored alert has no patient text.
ALERT_PATIENT_TEXT = {
    "mscc": "Your team thinks the cancer may press on your spinal cord. You need a scan and "
            "care fast, in a day.",
    "unstable_spine": "A bone in your spine may not be stable. A spine surgeon will check it "
                      "soon.",
    "orthopaedic_referral": "A bone in your arm or leg may be at risk of breaking. A bone "
                            "surgeon will check it. They may fix it with a metal rod or plate.",
    "out_of_scope": "These treatments are for cancer that has spread to the bone, or for "
                    "myeloma. Your team will talk with you about what is right for you.",
}
ALERT_PATIENT_TITLES = {
    "mscc": "Get help straight away",
    "unstable_spine": "Your spine needs a check",
    "orthopaedic_referral": "Your bone needs a check",
    "out_of_scope": "About these treatments",
}
# Always said with a cord compression alert: what to do if it gets worse.
MSCC_SAFETY_NET = ("If your arms or legs get weak or numb, or you cannot control when you pee "
                   "or poo, call your cancer team at once, day or night.")

# Group -> (heading, the words that open it). Order is the order on the sheet.
GROUPS = {
    "offered": ("Treatments your team talked about with you", ""),
    "not_now": ("Treatments you cannot have yet",
                "You may be able to have these later. Something needs to happen first."),
    "more_information": ("Treatments your team needs to know more about", ""),
    "not_suitable": ("Treatments that are not right for you now",
                     "Your team looked at these. They are not the right choice for you at the "
                     "moment."),
    "not_applicable": ("Treatments that do not fit your situation",
                       "Your team looked at these too. They are not used for someone like you."),
}


def group_of(option: "OptionView") -> str:
    """Return the sheet group of one option: a temporary stop is "not now", never an offer."""
    if option.not_now:
        return "not_now"
    if option.status in ("recommended", "consider"):
        return "offered"
    if option.status == "needs_information":
        return "more_information"
    if option.status == "not_applicable":
        return "not_applicable"
    return "not_suitable"


def patient_groups(options: "Sequence[OptionView]") -> list[dict[str, object]]:
    """Return the sheet's groups in order, each with its options; empty groups left out."""
    groups = []
    for key, (heading, intro) in GROUPS.items():
        members = [option for option in options if group_of(option) == key]
        if members:
            groups.append({"key": key, "heading": heading, "intro": intro,
                           "options": members})
    return groups


def alert_patient_view(alert: Mapping[str, object], patient_text: str) -> dict[str, object]:
    """Return what the patient reads about one alert: a title and plain sentences."""
    code = alert.get("code", "")
    text = patient_text or ALERT_PATIENT_TEXT.get(code, "")
    return {"code": code, "severity": alert.get("severity", ""),
            "title": ALERT_PATIENT_TITLES.get(code, "Please read this"),
            "texts": [text, MSCC_SAFETY_NET] if code == "mscc" else [text]}
