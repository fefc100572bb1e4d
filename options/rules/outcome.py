"""The parts of an option's result that both evaluation paths word the same way, and the
steps of engine._decide that the generated functions call rather than write out."""

from collections.abc import Iterable

from .vocab import SAFETY_FIELDS

NO_RULE = {"rule": "NO-RULE", "guidance": "", "section": "",
           "text": "No rule in this ruleset supports this option for this patient."}


def summary(status: str, decided_by: str | None, reasons: list, not_now: list,
            missing: list) -> str:
    """Return the one-line summary of a decision that its first reason does not say alone."""
    if status == "needs_information":
        return "Cannot decide until this is known: " + ", ".join(unique(missing)) + "."
    if not_now and not_now[0]["rule"] == decided_by:  # a temporary safety stop
        return "Not now: " + " ".join(r["text"] for r in not_now)
    first = reasons[0]
    text = first["text"] if first["rule"] == decided_by else next(
        r["text"] for r in reasons if r["rule"] == decided_by)
    if not_now:
        return f"{text} Not now: " + " ".join(r["text"] for r in not_now)
    return text


def unique(items: Iterable[str]) -> list:
    """Return the items once each, in the order first met (missing inputs are listed so)."""
    return list(dict.fromkeys(items))


def unknown_input(unknown: list | None, safety_missing: list, missing: tuple,
                  entry: tuple) -> list | None:
    """Keep a status rule that could not be decided (engine._eligibility): the rule, with
    the inputs it lacks that are not safety inputs; else those safety inputs."""
    other = [p for p in missing if p not in SAFETY_FIELDS]
    if other:
        if unknown is None:
            unknown = []
        unknown.append((entry, other))
    else:
        safety_missing.extend(missing)
    return unknown


def could_stand(unknown: list | None) -> bool:
    """Whether an undecided status rule would make the option active (engine._could_stand)."""
    return unknown is not None and any(entry[2] for entry, _ in unknown)


def hinges(unknown: list, holding: list, final: str) -> bool:
    """Whether the final status depends on an undecided status rule (engine._decide)."""
    for (status, _, active), _ in unknown:
        if (holding[0][0] if holding and active else status) != final:
            return True
    return False


def undecided(unknown: list) -> tuple:
    """Return (reasons, missing) of an option that needs information (engine._undecided)."""
    return ([entry[1] for entry, _ in unknown],
            unique([p for _, paths in unknown for p in paths]))
