"""Values BoneCare works out from what was entered: the one place each formula lives."""

from collections.abc import Mapping

# Cockcroft-Gault as UK prescribers use it (clinical/rules.md, "Derived facts"): serum
# creatinine in micromol/L, actual body weight in kg, the sex constant folding in the
# unit conversion. An eGFR (per 1.73 m2) is never used in its place.
CG_SEX_FACTOR = {"male": 1.23, "female": 1.04}
CG_FROM = ("age_years", "sex", "weight_kg", "serum_creatinine_umol_l")


def cockcroft_gault(*, age_years: int, sex: str, weight_kg: float,
                    serum_creatinine_umol_l: float) -> float:
    """Return the creatinine clearance in mL/min, rounded to one decimal."""
    value = (140 - age_years) * weight_kg * CG_SEX_FACTOR[sex] / serum_creatinine_umol_l
    return round(max(value, 0.0), 1)


def creatinine_clearance(patient: Mapping[str, object]
                         ) -> tuple[float | None, dict[str, object] | None]:
    """Return (value, derivation) from a patient-facts dict.

    The entered clearance wins; otherwise Cockcroft-Gault when age, sex, weight and serum
    creatinine are all known; otherwise (None, None). `derivation` is the contract's
    `derived` entry, or None when nothing was calculated.
    """
    given = patient.get("creatinine_clearance_ml_min")
    if given is not None:
        return given, None
    age, sex, weight, creatinine = map(patient.get, CG_FROM)
    if age is None or sex is None or weight is None or creatinine is None:
        return None, None
    value = cockcroft_gault(age_years=age, sex=sex, weight_kg=weight,
                            serum_creatinine_umol_l=creatinine)
    return value, {"value": value, "method": "cockcroft_gault", "from": list(CG_FROM)}
