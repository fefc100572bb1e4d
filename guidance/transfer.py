"""Ruleset files: check one before import, naming where it is wrong; write one for review.

The file format is the one guidance/data/default_ruleset.json uses: version, title, notes,
documents, rules and (optionally) the FHIR code lists. Checking reads the database only to
know which documents the published ruleset holds (a file may cite those without carrying
them).
"""

import datetime

from options.json_input import JSONTooDeep, json_depth_check
from options.rules import CompiledRuleSet, Parser, RuleError, compile_rule
from options.rules import Rule as EngineRule

from .codes import CODE_LISTS, system_normal
from .models import CodeListEntry, GuidanceDocument, Rule, RuleSet

DOCUMENT_FIELDS = ("title", "url", "publisher", "published", "last_reviewed",
                   "next_review_due", "evidence_note", "replaced_by")
DOCUMENT_DATES = ("published", "last_reviewed", "next_review_due")
RULE_FIELDS = ("option", "effect", "status", "priority", "condition", "section", "text",
               "patient_text", "alert_code", "alert_severity", "defines", "temporary",
               "bonecare_default", "editor_note")
CODE_FIELDS = ("code_list", "system", "code", "value", "display", "evidence", "active")
FILE_KEYS = ("version", "title", "notes", "documents", "rules", "code_lists")
MAX_ERRORS = 50


def _max_length(model, name):
    return getattr(model._meta.get_field(name), "max_length", None)


def _text_error(value, *, model, name, required):
    if not isinstance(value, str):
        return "must be text"
    if required and not value.strip():
        return "must not be empty"
    limit = _max_length(model, name)
    if limit and len(value) > limit:
        return f"must be at most {limit} characters"
    return None


def _unknown_keys(item, allowed, path):
    return [f"{path}.{key}: unknown key; allowed: {', '.join(allowed)}"
            for key in item if key not in allowed]


def _document_errors(item, path):
    if not isinstance(item, dict):
        return [f"{path}: must be an object"]
    errors = _unknown_keys(item, ("code", *DOCUMENT_FIELDS), path)
    for name, required in (("code", True), ("title", True)):
        problem = _text_error(item.get(name), model=GuidanceDocument, name=name,
                              required=required)
        if problem:
            errors.append(f"{path}.{name}: {problem}")
    for name in DOCUMENT_DATES:
        value = item.get(name)
        if value in (None, ""):
            continue
        try:
            datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            errors.append(f"{path}.{name}: must be a date as YYYY-MM-DD, or null")
    return errors


def _rule_field_errors(item, path, documents):
    errors = _unknown_keys(item, ("code", "guidance", *RULE_FIELDS), path)
    for name in ("code", "effect", "text"):
        problem = _text_error(item.get(name), model=Rule, name=name, required=True)
        if problem:
            errors.append(f"{path}.{name}: {problem}")
    for name in ("temporary", "bonecare_default"):
        if not isinstance(item.get(name, False), bool):
            errors.append(f"{path}.{name}: must be true or false")
    for name in ("option", "status", "section", "patient_text", "alert_code",
                 "alert_severity", "defines", "editor_note"):
        if name in item:
            problem = _text_error(item[name], model=Rule, name=name, required=False)
            if problem:
                errors.append(f"{path}.{name}: {problem}")
    priority = item.get("priority", 100)
    if isinstance(priority, bool) or not isinstance(priority, int):
        errors.append(f"{path}.priority: must be a whole number")
    if item.get("guidance") not in documents:
        errors.append(f"{path}.guidance: unknown guidance document {item.get('guidance')!r}")
    return errors


def _engine_rule(item):
    values = {name: item[name] for name in RULE_FIELDS if name in item}
    return EngineRule(code=item["code"], guidance=item["guidance"], **values)


def _rules_errors(rules, documents):
    if not isinstance(rules, list) or not rules:
        return ["rules: must be a non-empty list of rules"]
    errors, seen, valid = [], {}, []
    for index, item in enumerate(rules):
        path = f"rules[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{path}: must be an object")
            continue
        problems = _rule_field_errors(item, path, documents)
        code = item.get("code")
        if isinstance(code, str) and code in seen:
            problems.append(f"{path}.code: {code!r} is already used by rules[{seen[code]}]")
        elif isinstance(code, str):
            seen[code] = index
        errors.extend(problems)
        if not problems:
            valid.append((path, _engine_rule(item)))
    return errors + _compile_errors(valid)


def _compile_errors(valid):
    """Compile each rule with the engine's parser; then the whole set if all compile."""
    derived = {rule.defines: rule.condition for _, rule in valid if rule.effect == "define"}
    parser = Parser(derived=derived)
    errors = []
    for path, rule in valid:
        try:
            compile_rule(rule, parser)
        except RuleError as error:
            errors.append(f"{path}.{error.field}: {error.message}")
    if not errors and valid:
        try:
            CompiledRuleSet([rule for _, rule in valid], version="check")
        except RuleError as error:
            errors.append(f"rules: {error}")
    return errors


def _code_errors(item, path):
    if not isinstance(item, dict):
        return [f"{path}: must be an object"]
    errors = _unknown_keys(item, CODE_FIELDS, path)
    for name in ("code_list", "system", "code", "value", "display", "evidence"):
        problem = _text_error(item.get(name, ""), model=CodeListEntry, name=name,
                              required=name in ("code_list", "system", "code"))
        if problem:
            errors.append(f"{path}.{name}: {problem}")
    if not isinstance(item.get("active", True), bool):
        errors.append(f"{path}.active: must be true or false")
    spec = CODE_LISTS.get(item.get("code_list"))
    if spec is None:
        errors.append(f"{path}.code_list: unknown code list {item.get('code_list')!r}; "
                      f"allowed: {', '.join(CODE_LISTS)}")
    elif spec.values and item.get("value") not in spec.values:
        errors.append(f"{path}.value: one of: {', '.join(spec.values)}")
    return errors


def _code_lists_errors(entries):
    if entries is None:
        return []
    if not isinstance(entries, list):
        return ["code_lists: must be a list"]
    errors, seen = [], set()
    for index, item in enumerate(entries):
        problems = _code_errors(item, f"code_lists[{index}]")
        if not problems:
            key = (item["code_list"], system_normal(item["system"]), item["code"].strip())
            if key in seen:
                problems.append(f"code_lists[{index}]: {key[2]!r} is already in "
                                f"{key[0]!r}")
            seen.add(key)
        errors.extend(problems)
    return errors


def ruleset_file_errors(data):
    """Return every problem in a ruleset file as 'path: message'; empty when importable."""
    if not isinstance(data, dict):
        return ["(file): must be a JSON object with version, title, documents and rules"]
    try:
        json_depth_check(data)  # before anything reads it recursively
    except JSONTooDeep as error:
        return [f"(file): {error}"]
    errors = _unknown_keys(data, FILE_KEYS, "(file)")
    problem = _text_error(data.get("version"), model=RuleSet, name="version", required=True)
    if problem:
        errors.append(f"version: {problem}")
    for name in ("title", "notes"):
        if name in data:
            problem = _text_error(data[name], model=RuleSet, name=name, required=False)
            if problem:
                errors.append(f"{name}: {problem}")
    documents = data.get("documents", [])
    if not isinstance(documents, list):
        errors.append("documents: must be a list")
        documents = []
    for index, item in enumerate(documents):
        errors.extend(_document_errors(item, f"documents[{index}]"))
    known = set(GuidanceDocument.objects.filter(ruleset__state=RuleSet.PUBLISHED)
                .values_list("code", flat=True))
    known |= {item.get("code") for item in documents if isinstance(item, dict)}
    errors.extend(_rules_errors(data.get("rules"), known))
    errors.extend(_code_lists_errors(data.get("code_lists")))
    return errors[:MAX_ERRORS]


def _date_text(value):
    return value.isoformat() if value else None


def document_data(document):
    """Return one guidance document as the file format writes it."""
    return {"code": document.code,
            **{name: (_date_text(getattr(document, name)) if name in DOCUMENT_DATES
                      else getattr(document, name)) for name in DOCUMENT_FIELDS}}


def ruleset_file(ruleset):
    """Return a ruleset, its documents and its code lists in the import file format."""
    rows = list(ruleset.rules.select_related("guidance"))
    documents = [document_data(document) for document in ruleset.documents.order_by("code")]
    rules = [
        {"code": row.code, **{name: getattr(row, name) for name in RULE_FIELDS},
         "guidance": row.guidance.code}
        for row in rows
    ]
    code_lists = list(ruleset.code_entries.order_by("code_list", "system", "code")
                      .values(*CODE_FIELDS))
    return {"version": ruleset.version, "title": ruleset.title, "notes": ruleset.notes,
            "documents": documents, "rules": rules, "code_lists": code_lists}
