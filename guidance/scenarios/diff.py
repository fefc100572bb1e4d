"""What a draft changes against the ruleset it came from: rules, documents, code lists, and
expectations with reasons; and what changed between two submissions of it (two snapshots of
guidance.content's canonical content), through the same comparisons."""

from options.rules import ConditionError
from options.rules.plain import condition_plain

from ..codes import CODE_LISTS
from ..content import ADDED_LATER
from ..models import EXPECTATION_FIELDS, Expectation, Rule
from ..transfer import CODE_FIELDS, DOCUMENT_FIELDS, RULE_FIELDS, document_data
from .expectations import ruleset_expectations

DIFF_FIELDS = (*RULE_FIELDS, "guidance")


def _rows(ruleset):
    if ruleset is None:
        return {}
    values = Rule.objects.filter(ruleset=ruleset).values("code", "guidance__code",
                                                         *RULE_FIELDS)
    return {row.pop("code"): {**row, "guidance": row.pop("guidance__code")} for row in values}


def _content_rules(content):
    """Return {code: fields} of a content snapshot's rules (a field added later may be
    absent: it holds its default)."""
    return {row["code"]: {name: row.get(name, ADDED_LATER.get(name)) for name in DIFF_FIELDS}
            for row in content.get("rules", [])}


def _words(condition, defines):
    try:
        return condition_plain(condition, defines)
    except ConditionError as error:
        return f"(cannot be read: {error})"


def _defines(rows):
    return {row["defines"]: row["condition"] for row in rows.values()
            if row["effect"] == "define"}


def rules_compare(before: dict, after: dict) -> list[dict]:
    """Return the rules added, removed and changed (field: [before, after]) between two
    {code: fields} maps; a changed condition also in plain words, each side read with its
    own definitions."""
    diff = [{"code": code, "change": "added", "fields": {}} for code in sorted(
        after.keys() - before.keys())]
    diff += [{"code": code, "change": "removed", "fields": {}} for code in sorted(
        before.keys() - after.keys())]
    for code in sorted(before.keys() & after.keys()):
        fields = {name: [before[code][name], after[code][name]] for name in DIFF_FIELDS
                  if before[code][name] != after[code][name]}
        if fields:
            diff.append({"code": code, "change": "changed", "fields": fields})
    defines = (_defines(before), _defines(after))
    for item in diff:
        pair = item["fields"].get("condition")
        if pair:
            item["fields"]["condition in words"] = [_words(pair[0], defines[0]),
                                                    _words(pair[1], defines[1])]
    return diff


def rules_diff(ruleset) -> list[dict]:
    """Return the rules added, removed and changed (field: [before, after]) since the base.

    A changed condition is also given in plain words, before and after.
    """
    return rules_compare(_rows(ruleset.based_on), _rows(ruleset))


def _changed(before, after):
    """Return {name: [before, after]}; for a dict, only its keys that changed."""
    changed = {}
    for name in after:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    changed[f"{name}.{key}"] = [old.get(key), new.get(key)]
        else:
            changed[name] = [old, new]
    return changed


def _scenarios_added(ruleset):
    """Return an entry for each scenario the draft is tested against that its base was not."""
    base = set(Expectation.objects.filter(ruleset=ruleset.based_on).values_list("code",
                                                                               flat=True))
    return [{"code": row.code, "reason": "A scenario added to the library since "
             f"{ruleset.based_on.version if ruleset.based_on else 'the import'}: "
             f"{row.title}", "by": "", "at": "",
             "changed": {"expected": [None, row.expected]}}
            for row in ruleset_expectations(ruleset) if row.code not in base]


def _by_reason(changes):
    """Keep changes made for one reason together, in the order each reason was first given."""
    first = {}
    for change in changes:
        first.setdefault(change["reason"], len(first))
    return sorted(changes, key=lambda change: first[change["reason"]])


def expectation_changes(ruleset) -> list[dict]:
    """Return each expectation change made in the draft, with reason and author, those of one
    reason together (oldest reason first, oldest first within it), then each scenario the
    draft is tested against that its base was not."""
    changes = ruleset.expectation_changes.select_related("by").order_by("at", "id")
    return _by_reason([{"code": c.code, "reason": c.reason,
                        "by": c.by.get_username() if c.by else "", "at": c.at.isoformat(),
                        "changed": _changed(c.before, c.after)}
                       for c in changes]) + _scenarios_added(ruleset)


def _keyed_diff(before, after, fields):
    """Return added, removed and changed entries of two {key: {field: value}} maps."""
    diff = [{"key": key, "change": "added", "fields": {name: [None, after[key][name]]
                                                       for name in fields}}
            for key in sorted(after.keys() - before.keys())]
    diff += [{"key": key, "change": "removed", "fields": {name: [before[key][name], None]
                                                          for name in fields}}
             for key in sorted(before.keys() - after.keys())]
    for key in sorted(before.keys() & after.keys()):
        changed = {name: [before[key][name], after[key][name]] for name in fields
                   if before[key][name] != after[key][name]}
        if changed:
            diff.append({"key": key, "change": "changed", "fields": changed})
    return diff


def _documents(ruleset):
    if ruleset is None:
        return {}
    return {document.code: document_data(document) for document in ruleset.documents.all()}


def documents_diff(ruleset) -> list[dict]:
    """Return the guidance documents added, removed and changed since the base."""
    return _keyed_diff(_documents(ruleset.based_on), _documents(ruleset), DOCUMENT_FIELDS)


def _code_keys(rows):
    return {f"{row['code_list']}: {row['system']}|{row['code']}": row for row in rows}


def _codes(ruleset):
    if ruleset is None:
        return {}
    return _code_keys(ruleset.code_entries.values(*CODE_FIELDS))


def _in_use(active):
    return None if active is None else ("in use" if active else "switched off")


def _code_meaning(item, before, after):
    """Say in words what a code change does to how EHR records are read."""
    row = after.get(item["key"]) or before[item["key"]]
    spec = CODE_LISTS.get(row["code_list"])
    listed = spec.label if spec else row["code_list"]
    coded = f"Records coded {row['code']} ({row['display'] or 'no display'})"
    was = before.get(item["key"], {}).get("active", False)
    now = after.get(item["key"], {}).get("active", False)
    if was and not now:
        meaning = f"{coded} will no longer be read as \u201c{listed}\u201d"
        if row["code_list"] == "mscc_signs":
            meaning += ": the critical cord-compression card will not show for them"
        return meaning + "."
    if now and not was:
        return f"{coded} will be read as \u201c{listed}\u201d" + (
            f" with the value {row['value']}." if row["value"] else ".")
    return f"{coded}: what they are read as changes (see the fields)."


def code_lists_diff(ruleset) -> list[dict]:
    """Return the FHIR codes added, removed and changed since the base, each with what the
    change does to how EHR records are read, in words."""
    return code_lists_compare(_codes(ruleset.based_on), _codes(ruleset))


def code_lists_compare(before: dict, after: dict) -> list[dict]:
    """Return the codes added, removed and changed between two {key: code row} maps, each
    with its meaning in words."""
    diff = _keyed_diff(before, after, ("value", "display", "evidence", "active"))
    for item in diff:
        if "active" in item["fields"]:
            item["fields"]["active"] = [_in_use(value) for value in item["fields"]["active"]]
        item["meaning"] = _code_meaning(item, before, after)
        item["label"] = _code_label(after.get(item["key"]) or before[item["key"]])
    return diff


def _code_label(row):
    """Name a code by its list's label, its system and its code (the key names the list by
    its internal name)."""
    spec = CODE_LISTS.get(row["code_list"])
    return f"{spec.label if spec else row['code_list']}: {row['system']}|{row['code']}"


EXPECTATION_DIFF_FIELDS = ("title", "assessment", *EXPECTATION_FIELDS, "note")


def _expectations_compare(before, after):
    """Return the scenarios added, removed and changed between two lists of expectation rows,
    as expectation_changes gives them (code, changed: {field: [before, after]})."""
    before = {row["code"]: row for row in before}
    after = {row["code"]: row for row in after}
    empty = dict.fromkeys(EXPECTATION_DIFF_FIELDS)
    diff = []
    for code in sorted(before.keys() | after.keys()):
        old, new = before.get(code, empty), after.get(code, empty)
        changed = _changed({name: old.get(name) for name in EXPECTATION_DIFF_FIELDS},
                           {name: new.get(name) for name in EXPECTATION_DIFF_FIELDS})
        kind = ("added" if code not in before else "removed" if code not in after
                else "changed")
        if kind != "changed":  # a whole case is named by its title, not read field by field
            changed.pop("assessment", None)
        if changed:
            diff.append({"code": code, "change": kind, "changed": changed})
    return diff


def content_compare(before: dict, after: dict) -> dict:
    """Return what changed between two snapshots of a ruleset's content (guidance.content):
    its details, rules, documents, code lists and expectations."""
    details = {name: [before.get(name), after.get(name)] for name in ("title", "notes")
               if before.get(name) != after.get(name)}
    documents = [{row["code"]: row for row in side.get("documents", [])}
                 for side in (before, after)]
    return {
        "details": details,
        "rules": rules_compare(_content_rules(before), _content_rules(after)),
        "documents": _keyed_diff(*documents, DOCUMENT_FIELDS),
        "code_lists": code_lists_compare(_code_keys(before.get("code_lists", [])),
                                         _code_keys(after.get("code_lists", []))),
        "expectations": _expectations_compare(before.get("expectations", []),
                                              after.get("expectations", [])),
    }
