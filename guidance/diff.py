"""What a draft changes against the ruleset it came from: rules, and expectations with reasons."""

from .models import Rule
from .transfer import RULE_FIELDS

DIFF_FIELDS = (*RULE_FIELDS, "guidance")


def _rows(ruleset):
    if ruleset is None:
        return {}
    values = Rule.objects.filter(ruleset=ruleset).values("code", "guidance__code",
                                                         *RULE_FIELDS)
    return {row.pop("code"): {**row, "guidance": row.pop("guidance__code")} for row in values}


def rules_diff(ruleset) -> list[dict]:
    """Return the rules added, removed and changed (field: [before, after]) since the base."""
    before, after = _rows(ruleset.based_on), _rows(ruleset)
    diff = [{"code": code, "change": "added", "fields": {}} for code in sorted(
        after.keys() - before.keys())]
    diff += [{"code": code, "change": "removed", "fields": {}} for code in sorted(
        before.keys() - after.keys())]
    for code in sorted(before.keys() & after.keys()):
        fields = {name: [before[code][name], after[code][name]] for name in DIFF_FIELDS
                  if before[code][name] != after[code][name]}
        if fields:
            diff.append({"code": code, "change": "changed", "fields": fields})
    return diff


def expectation_changes(ruleset) -> list[dict]:
    """Return each expectation change made in the draft, oldest first, with reason and author."""
    changes = ruleset.expectation_changes.select_related("by").order_by("at", "id")
    return [{"code": c.code, "reason": c.reason, "by": c.by.get_username() if c.by else "",
             "at": c.at.isoformat(), "changed": {
                 name: [c.before.get(name), c.after.get(name)] for name in c.after
                 if c.before.get(name) != c.after.get(name)}}
            for c in changes]
