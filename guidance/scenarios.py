"""Compare a result with a worked scenario's expectations (pure: dicts in, mismatches out)."""


def scenario_mismatches(*, expected, result, expected_hold=(), expected_alerts=(),
                        expected_scores=None, accept=None):
    """Return a list of human-readable mismatches; empty when the result agrees.

    `expected` maps option -> status; `accept` may list the statuses allowed where guidance is
    ambiguous; `expected_hold` lists options that must be on hold (and no others);
    `expected_alerts` lists alert codes that must be present; `expected_scores` maps
    "sins"/"mirels" to the scores expected, in lesion order.
    """
    mismatches = []
    by_option = {o["option"]: o for o in result["options"]}
    for option, status in expected.items():
        allowed = (accept or {}).get(option) or [status]
        got = by_option[option]["status"]
        if got not in allowed:
            mismatches.append(f"{option}: expected {' or '.join(allowed)}, got {got}")
    held = sorted(o for o, d in by_option.items() if d["hold"])
    if held != sorted(expected_hold):
        mismatches.append(f"hold: expected {sorted(expected_hold)}, got {held}")
    codes = {a["code"] for a in result["alerts"]}
    for code in expected_alerts:
        if code not in codes:
            mismatches.append(f"alerts: expected {code}, got {sorted(codes)}")
    for kind, scores in (expected_scores or {}).items():
        got = [s[kind] for s in result["scores"] if kind in s]
        if got != list(scores):
            mismatches.append(f"scores.{kind}: expected {list(scores)}, got {got}")
    return mismatches


def scenario_file_mismatches(data, result):
    """Apply a shared scenario file's expectations to a result."""
    return scenario_mismatches(
        expected=data["expected"],
        result=result,
        expected_hold=data.get("expected_hold", []),
        expected_alerts=data.get("expected_alerts", []),
        expected_scores=data.get("expected_scores"),
        accept=data.get("accept"),
    )
