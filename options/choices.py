"""Django choices built from options.vocab, labelled for people, and the contract's field
paths in words.

No Django import: the pages, the prints and the CDS Hooks cards all read these labels.
"""

import re

_LABELS = {
    "other_solid": "Other solid tumour",
    "primary_bone": "Primary bone cancer",
    "other_haematological": "Other haematological cancer (lymphoma, leukaemia)",
    "none": "None",
    "involvement_over_50": "No collapse, over 50% of body involved",
    "under_50": "Collapse under 50%",
    "over_50": "Collapse over 50%",
    "under_third": "Under one third",
    "third_to_two_thirds": "One third to two thirds",
    "over_two_thirds": "Over two thirds",
    "kyphoplasty": "Balloon kyphoplasty",
    "cds_hooks": "CDS Hooks",
    "cli": "Command line",
    "api": "API",
    "result_page": "Result page",
    "mdt_disagrees": "MDT disagrees",
    "patient_choice": "Patient's choice",
    "clinical_judgement": "Clinical judgement for this patient",
    "other_condition": "Another condition or medicine",
    "contraindication_not_assessed": "A contraindication the assessment does not ask about",
    "not_available": "Not available locally or in time",
    "evidence_moved_on": "Evidence or practice has moved on from the guidance",
    "mdt_decision": "Multidisciplinary team decision",
    "other_reason": "Other reason (see comment)",
}

# Each field of the contract named as people read it when it is missing; a lesion's or a
# treatment's findings start lower case, as they follow "Lesion 1 (L2): ".
FIELD_NAMES = {
    "patient_ref": "Patient reference",
    "age_years": "Age",
    "sex": "Sex",
    "cancer_type": "Primary cancer",
    "bone_metastases": "Bone metastases confirmed",
    "prostate_hormone_status": "Hormone status of the prostate cancer",
    "myeloma_needs_treatment": "Whether the myeloma needs treatment",
    "treatment_intent": "Intent of treatment",
    "mscc_signs": "Signs of spinal cord compression",
    "creatinine_clearance_ml_min": "Creatinine clearance",
    "serum_creatinine_umol_l": "Serum creatinine",
    "weight_kg": "Weight",
    "corrected_calcium_mmol_l": "Corrected calcium",
    "dental_assessment_done": "Dental assessment done",
    "unhealed_oral_lesion": "Unhealed dental or oral surgery wound",
    "uncorrectable_coagulopathy": "Coagulopathy that cannot be corrected",
    "active_infection": "Active infection",
    "cement_allergy": "Allergy to bone cement or contrast",
    "pregnant": "Pregnancy",
    "lesions": "Bone lesions (imaging findings)",
    "prior_treatments": "Prior treatments",
    "site": "site",
    "level": "vertebral level",
    "lesion_type": "lesion type",
    "pain": "pain",
    "collapse": "vertebral body collapse",
    "alignment": "spinal alignment",
    "posterolateral": "posterolateral involvement",
    "retropulsion": "retropulsed fragment or epidural tumour",
    "cortical_involvement": "cortical involvement",
    "fracture": "pathological fracture",
    "sins": "SINS score",
    "sins_band": "SINS band",
    "mirels": "Mirels score",
    "mirels_band": "Mirels band",
    "treatment": "treatment",
    "response": "response",
    "weeks_ago": "weeks ago",
}
_ITEM = re.compile(r"^(lesions|prior_treatments)\[(\d+)\](?:\.(\w+))?$")
_ITEM_WORDS = {"lesions": "Lesion", "prior_treatments": "Treatment"}
# A contract path or field name inside a sentence: an item's path, or a name with "_".
_IN_TEXT = re.compile(r"\b(?:lesions|prior_treatments)\[\d+\](?:\.\w+)?"
                      r"|\b(?:" + "|".join(sorted((n for n in FIELD_NAMES if "_" in n),
                                                  key=len, reverse=True)) + r")\b")


def label(value):
    """Return the human label for a vocabulary value."""
    return _LABELS.get(value, value.replace("_", " ").capitalize())


def choices(values):
    """Build Django choices from a vocabulary tuple."""
    return [(value, label(value)) for value in values]


def field_name(name):
    """Return a contract field's name in words ("Corrected calcium")."""
    words = FIELD_NAMES.get(name, name.replace("_", " "))
    return words[:1].upper() + words[1:]


def _item_words(kind, index, item):
    if kind == "lesions":
        where = item.get("level") or (label(item["site"]).lower() if item.get("site") else "")
    else:
        where = label(item["treatment"]).lower() if item.get("treatment") else ""
    return f"{_ITEM_WORDS[kind]} {index + 1}" + (f" ({where})" if where else "")


def _item_path(path, assessment):
    """Return (the item in words, the finding's name) for an item's path, else None."""
    match = _ITEM.match(path)
    if match is None:
        return None
    kind, index, name = match.group(1), int(match.group(2)), match.group(3)
    items = (assessment or {}).get(kind)
    item = items[index] if isinstance(items, list) and index < len(items) and isinstance(
        items[index], dict) else {}
    return _item_words(kind, index, item), (
        FIELD_NAMES.get(name, name.replace("_", " ")) if name else "")


def missing_words(path, assessment=None):
    """Return a missing-field path in words: `lesions[0].alignment` is "Lesion 1 (L2):
    spinal alignment", `prior_treatments` "Prior treatments"; the assessment, when given,
    names each lesion by its level or site and each treatment by its kind."""
    item = _item_path(path, assessment)
    if item is None:
        return field_name(path)
    return f"{item[0]}: {item[1]}" if item[1] else item[0]


def missing_in_words(paths, assessment=None):
    """Return each missing-field path in words, once each, in order."""
    return list(dict.fromkeys(missing_words(p, assessment) for p in paths))


def missing_grouped(paths, assessment=None):
    """Return the missing inputs in words with each lesion's or treatment's findings said
    together: "Lesion 1 (L2): spinal alignment and vertebral body collapse"."""
    groups = {}
    for path in paths:
        item = _item_path(path, assessment)
        key, name = item if item is not None else (field_name(path), "")
        names = groups.setdefault(key, [])
        if name and name not in names:
            names.append(name)
    return [f"{key}: {_and(names)}" if names else key for key, names in groups.items()]


def _and(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def text_in_words(text, assessment=None):
    """Return a sentence with every contract path or field name in it put into words."""
    return _IN_TEXT.sub(lambda m: missing_words(m.group(0), assessment), text)


def summary_in_words(option, assessment=None):
    """Return an option's one-line summary as people read it: for one that needs
    information, what is missing in words (the stored summary names contract paths)."""
    if option.get("status") == "needs_information" and option.get("missing"):
        return ("Cannot decide until this is known: "
                + "; ".join(missing_grouped(option["missing"], assessment)) + ".")
    return text_in_words(option.get("summary", ""), assessment)
