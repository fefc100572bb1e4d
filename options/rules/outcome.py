"""The parts of an option's result that both evaluation paths word the same way."""

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


def unique(items) -> list:
    """Return the items once each, in the order first met (missing inputs are listed so)."""
    return list(dict.fromkeys(items))
