"""Compare a result with a worked scenario's expectations (pure: dicts in, mismatches out)."""

from collections import Counter

# The safety questions that `expected_missing: []` forbids asking (shared/README.md).
PREGNANCY_AND_RENAL = ("pregnant", "creatinine_clearance_ml_min")


def scenario_mismatches(*, expected, result, expected_hold=(), expected_alerts=(),
                        expected_scores=None, accept=None, expected_missing=None,
                        expected_derived=None):
    """Return a list of human-readable mismatches; empty when the result agrees.

    `expected` maps option -> status; `accept` may list the statuses allowed where guidance is
    ambiguous; `expected_hold` lists options that must be on hold (and no others);
    `expected_alerts` is the complete list of alert codes; `expected_scores` maps
    "sins"/"mirels"/"sins_range"/"mirels_range" to the values expected, in lesion order;
    `expected_missing` maps option -> paths that must be listed (an empty list: neither
    pregnancy nor renal function may be asked); `expected_derived` maps a derived value's
    name to what BoneCare must calculate.
    """
    by_option = {o["option"]: o for o in result["options"]}
    mismatches = _status_mismatches(expected, accept, by_option)
    held = sorted(o for o, d in by_option.items() if d["hold"])
    if held != sorted(expected_hold):
        mismatches.append(f"hold: expected {sorted(expected_hold)}, got {held}")
    codes = Counter(a["code"] for a in result["alerts"])
    if codes != Counter(expected_alerts):
        mismatches.append(
            f"alerts: expected {sorted(expected_alerts)}, got {sorted(codes.elements())}")
    for kind, scores in (expected_scores or {}).items():
        got = [s[kind] for s in result["scores"] if s.get(kind) is not None]
        if got != [list(s) if isinstance(s, list | tuple) else s for s in scores]:
            mismatches.append(f"scores.{kind}: expected {list(scores)}, got {got}")
    mismatches += _missing_mismatches(expected_missing or {}, by_option)
    derived = result.get("derived", {})
    for name, value in (expected_derived or {}).items():
        got = derived.get(name, {}).get("value")
        if got != value:
            mismatches.append(f"derived.{name}: expected {value}, got {got}")
    return mismatches


def _status_mismatches(expected, accept, by_option):
    mismatches = []
    for option, status in expected.items():
        allowed = (accept or {}).get(option) or [status]
        got = by_option[option]["status"]
        if got not in allowed:
            mismatches.append(f"{option}: expected {' or '.join(allowed)}, got {got}")
    return mismatches


def _missing_mismatches(expected_missing, by_option):
    mismatches = []
    for option, paths in expected_missing.items():
        got = by_option[option]["missing"]
        lacking = [p for p in paths if p not in got]
        if lacking:
            mismatches.append(f"{option}.missing: expected {lacking} listed, got {got}")
        if not paths:
            asked = [p for p in got if p in PREGNANCY_AND_RENAL]
            if asked:
                mismatches.append(f"{option}.missing: must not ask {asked}")
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
        expected_missing=data.get("expected_missing"),
        expected_derived=data.get("expected_derived"),
    )
