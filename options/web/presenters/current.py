"""Old advice beside the rules in force now: the same, or which options now differ and how,
with the values that now decide it."""

from collections.abc import Mapping, Sequence

from guidance.models import RuleSet

from ...choices import label
from ...consultation.models import Consultation
from ...consultation.values import result_values


def _deciding_text(option: Mapping[str, object]) -> str:
    decided = option.get("decided_by")
    return next((reason["text"] for reason in option.get("reasons", [])
                 if reason.get("rule") == decided), option.get("summary", ""))


def _first(option: Mapping[str, object]) -> str:
    return " ".join(item["text"] for item in option.get("not_now") or [])


def _option_change(before: Mapping[str, object], now: Mapping[str, object],
                   values: Sequence[str] | None) -> str | None:
    name = label(now["option"])
    said = f" Values now deciding: {'; '.join(values)}." if values else ""
    if before["status"] != now["status"]:
        return (f"{name}: now {label(now['status']).lower()} (was "
                f"{label(before['status']).lower()}). {_deciding_text(now)}{said}")
    if now.get("hold") and not before.get("hold"):
        return f"{name}: now on hold. First: {_first(now)}{said}"
    if before.get("hold") and not now.get("hold"):
        return f"{name}: no longer held. {_deciding_text(now)}{said}"
    return None


def _alert_changes(before: Mapping[str, object], now: Mapping[str, object]) -> list[str]:
    was = {alert["code"]: alert for alert in before.get("alerts", [])}
    is_now = {alert["code"]: alert for alert in now.get("alerts", [])}
    return ([f"New alert: {is_now[code]['text']}" for code in is_now.keys() - was.keys()]
            + [f"Alert no longer raised: {was[code]['text']}"
               for code in was.keys() - is_now.keys()])


def current_rules_view(consultation: Consultation,
                       now: dict | None) -> dict[str, object] | None:
    """Return {version, changes} comparing a consultation's advice as given with the rules'
    advice now, or None when the rules in force are those it was given under.

    Each option that now differs says how, why, and the stored values the rules in force now
    compare ("Corrected calcium 2.30 mmol/L (below 2.40)"), read from those rules."""
    if now is None:
        return None
    given = consultation.result
    ruleset = RuleSet.objects.filter(version=now["ruleset"]["version"]).first()
    values = result_values(now, ruleset=ruleset,
                           value_of=lambda name: getattr(consultation, name, None))
    by_option = {option["option"]: option for option in given.get("options", [])}
    changes = [change for option in now["options"] if option["option"] in by_option
               for change in [_option_change(by_option[option["option"]], option,
                                             values.get(option["option"]))] if change]
    return {"version": now["ruleset"]["version"],
            "changes": changes + _alert_changes(given, now)}
