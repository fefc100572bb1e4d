"""SINS and Mirels as MDCalc shows them: each component with its points, total and band."""

from collections.abc import Mapping, Sequence

from ...choices import label
from ...consultation.models import Consultation, Lesion
from ...rules import scores

# Component (the result's `points` key) -> (heading, the lesion finding it reads).
SINS_ROWS = {
    "location": ("Location", "level"),
    "pain": ("Pain", "pain"),
    "lesion": ("Bone lesion", "lesion_type"),
    "alignment": ("Spinal alignment", "alignment"),
    "collapse": ("Vertebral body collapse", "collapse"),
    "posterolateral": ("Posterolateral involvement", "posterolateral"),
}
MIRELS_ROWS = {
    "site": ("Site", "site"),
    "pain": ("Pain", "pain"),
    "lesion": ("Lesion", "lesion_type"),
    "cortical": ("Size (cortical involvement)", "cortical_involvement"),
}
NOT_REPORTED = "Not reported"
DEPENDS = "depends on findings not reported"

# One score's tables for the form: finding -> {answer: points}, and "bands" -> {total: band}.
ScoreTable = dict[str, Mapping[str, int] | dict[int, str]]


def _span(value: int | Sequence[int] | None) -> str:
    """Return "3" for a number, "0 to 3" for a [low, high] range, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        low, high = value[0], value[-1]
        return str(low) if low == high else f"{low} to {high}"
    return str(value)


def _finding(lesion: Lesion | None, field_name: str) -> str:
    value = getattr(lesion, field_name, "") if lesion is not None else ""
    return label(value) if value not in ("", None) else NOT_REPORTED


def _where(lesion: Lesion | None) -> str:
    if lesion is None:
        return ""
    return f"{label(lesion.site)} {lesion.level}".strip()


def score_view(score: Mapping[str, object], lesion: Lesion | None) -> dict[str, object]:
    """Return one stored score ready to show: components with points, total and band."""
    name = "SINS" if "sins" in score or "sins_range" in score else "Mirels"
    key = name.lower()
    rows = SINS_ROWS if name == "SINS" else MIRELS_ROWS
    points = score.get("points") or {}
    total = score.get(key)
    band = score.get(f"{key}_band", "")
    return {
        "lesion": score.get("lesion", 0) + 1,
        "where": _where(lesion),
        "name": name,
        "total": _span(total if total is not None else score.get(f"{key}_range")),
        "is_range": total is None,
        "band": label(band) if band else (DEPENDS if total is None else ""),
        "components": [
            {"heading": heading, "finding": _finding(lesion, finding),
             "points": _span(points[component]),
             "unknown": isinstance(points[component], list | tuple)}
            for component, (heading, finding) in rows.items() if component in points],
    }


def score_views(consultation: Consultation,
                result: Mapping[str, object]) -> list[dict[str, object]]:
    """Return every stored score with the stored lesion it belongs to."""
    lesions = {lesion.position: lesion for lesion in consultation.lesions.all()}
    return [score_view(score, lesions.get(score.get("lesion")))
            for score in result.get("scores", [])]


def score_tables() -> dict[str, ScoreTable]:
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


def lesion_score(values: Mapping[str, str]) -> str:
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
