"""SINS (Fisher 2010) and Mirels (1989): every component value, and the band edges."""

import pytest

from options.rules import scores

# A blastic, pain-free, aligned, uncollapsed T5 lesion with no posterolateral involvement
# scores 1 (semi-rigid); each case changes one component.
SINS_BASE = {"level": "T5", "pain": "none", "lesion_type": "blastic", "alignment": "normal",
             "collapse": "none", "posterolateral": "none"}

SINS_LOCATION = [
    *[(level, 3) for level in ("C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1")],
    *[(level, 2) for level in ("C3", "C4", "C5", "C6", "L2", "L3", "L4")],
    *[(f"T{n}", 1) for n in range(3, 11)],
    *[(level, 0) for level in ("S2", "S3", "S4", "S5")],
]


@pytest.mark.parametrize(("level", "points"), SINS_LOCATION, ids=[c[0] for c in SINS_LOCATION])
def test_sins_location_points(level, points):
    assert scores.sins(**{**SINS_BASE, "level": level}) == points


SINS_COMPONENTS = [
    ("pain", "mechanical", 3), ("pain", "moderate", 1), ("pain", "mild", 1), ("pain", "none", 0),
    ("lesion_type", "lytic", 2), ("lesion_type", "mixed", 1), ("lesion_type", "blastic", 0),
    ("alignment", "subluxation", 4), ("alignment", "deformity", 2), ("alignment", "normal", 0),
    ("collapse", "over_50", 3), ("collapse", "under_50", 2),
    ("collapse", "involvement_over_50", 1), ("collapse", "none", 0),
    ("posterolateral", "bilateral", 3), ("posterolateral", "unilateral", 1),
    ("posterolateral", "none", 0),
]


@pytest.mark.parametrize(("component", "value", "points"), SINS_COMPONENTS,
                         ids=[f"{c}-{v}" for c, v, _ in SINS_COMPONENTS])
def test_sins_component_points(component, value, points):
    assert scores.sins(**{**SINS_BASE, component: value}) == 1 + points


def test_sins_maximum_is_18():
    assert scores.sins(level="L5", pain="mechanical", lesion_type="lytic",
                       alignment="subluxation", collapse="over_50",
                       posterolateral="bilateral") == 18


@pytest.mark.parametrize(("score", "band"), [(0, "stable"), (6, "stable"),
                                             (7, "indeterminate"), (12, "indeterminate"),
                                             (13, "unstable"), (18, "unstable")])
def test_sins_bands(score, band):
    assert scores.sins_band(score) == band


MIRELS_BASE = {"site": "upper_limb", "pain": "mild", "lesion_type": "blastic",
               "cortical_involvement": "under_third"}  # 4 points, the minimum

MIRELS_COMPONENTS = [
    ("site", "upper_limb", 1), ("site", "lower_limb", 2), ("site", "peritrochanteric", 3),
    ("pain", "none", 1), ("pain", "mild", 1), ("pain", "moderate", 2), ("pain", "mechanical", 3),
    ("lesion_type", "blastic", 1), ("lesion_type", "mixed", 2), ("lesion_type", "lytic", 3),
    ("cortical_involvement", "under_third", 1), ("cortical_involvement", "third_to_two_thirds", 2),
    ("cortical_involvement", "over_two_thirds", 3),
]


@pytest.mark.parametrize(("component", "value", "points"), MIRELS_COMPONENTS,
                         ids=[f"{c}-{v}" for c, v, _ in MIRELS_COMPONENTS])
def test_mirels_component_points(component, value, points):
    assert scores.mirels(**{**MIRELS_BASE, component: value}) == 4 - 1 + points


def test_mirels_maximum_is_12():
    assert scores.mirels(site="peritrochanteric", pain="mechanical", lesion_type="lytic",
                         cortical_involvement="over_two_thirds") == 12


@pytest.mark.parametrize(("score", "band"), [(4, "low"), (7, "low"), (8, "borderline"),
                                             (9, "high"), (12, "high")])
def test_mirels_bands(score, band):
    assert scores.mirels_band(score) == band


def test_scores_are_reported_per_lesion_by_kind(run):
    from tests.builders import assessment, flat, long_bone, spine

    result = run(assessment(lesions=[
        spine("L1", pain="mechanical", collapse="under_50"),  # 3+3+2+0+2+0
        flat("pelvis"),
        long_bone("peritrochanteric", pain="mechanical", cortical_involvement="over_two_thirds"),
    ]))
    assert result["scores"] == [
        {"lesion": 0, "sins": 10, "sins_band": "indeterminate",
         "points": {"location": 3, "pain": 3, "lesion": 2, "alignment": 0, "collapse": 2,
                    "posterolateral": 0}},
        {"lesion": 2, "mirels": 12, "mirels_band": "high",
         "points": {"site": 3, "pain": 3, "lesion": 3, "cortical": 3}},
    ]


def test_unknown_findings_make_the_score_a_range_with_each_components_possible_points(run):
    from tests.builders import assessment, long_bone, spine

    result = run(assessment(lesions=[
        spine("T10", pain="mechanical", collapse=None, posterolateral=None),  # V39: 6-12
        long_bone("lower_limb", cortical_involvement=None),  # 2+2+3 + 1..3
    ]))
    sins, mirels = result["scores"]
    assert sins == {"lesion": 0, "sins": None, "sins_range": [6, 12],
                    "points": {"location": 1, "pain": 3, "lesion": 2, "alignment": 0,
                               "collapse": [0, 3], "posterolateral": [0, 3]}}
    assert "sins_band" not in sins  # 6 is stable, 12 indeterminate
    assert (mirels["mirels"], mirels["mirels_range"], mirels["points"]["cortical"]) == (
        None, [8, 10], [1, 3])


def test_a_range_within_one_band_keeps_its_band(run):
    from tests.builders import assessment, spine

    result = run(assessment(lesions=[spine("T8", pain="none", lesion_type="blastic",
                                           alignment=None)]))  # 1+0+0+{0,2,4}+0+0
    assert result["scores"][0]["sins_range"] == [1, 5]
    assert result["scores"][0]["sins_band"] == "stable"
