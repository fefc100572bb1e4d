"""Rule texts rendered from rule data: a number a condition holds is never typed again.

A text names a threshold by the fact and comparison that hold it, `{sins.ge}` or
`{corrected_calcium_mmol_l.lt:2}` (two decimals), found in the rule's own condition or in the
define rules whose derived facts it asks. A bare number that a condition holds, a brace that
is not such a parameter, and an internal reference ("open question Q6", which belongs in the
editor's note) are refused when the rule is compiled.
"""

import re
from collections.abc import Mapping

PARAMETER = re.compile(r"\{(\w+)\.(lt|le|gt|ge|eq|ne)(?::(\d))?\}")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
INTERNAL = re.compile(r"\bQ\d+\b|open question", re.IGNORECASE)
PARAMETER_OPS = ("lt", "le", "gt", "ge", "eq", "ne", "in", "not_in")

# {(fact, op): {values}}: the numbers a condition compares its facts with.
Parameters = dict[tuple[str, str], set[float]]


class TextError(ValueError):
    """A rule text that does not render from its rule's data."""


def parameters(condition: dict[str, object], defines: Mapping[str, object]) -> Parameters:
    """Return {(fact, op): {values}} for every numeric comparison the condition relies on."""
    found = {}
    _collect(condition, defines, found, set())
    return found


def _collect(node, defines, found, seen):
    if isinstance(node, list):
        for item in node:
            _collect(item, defines, found, seen)
        return
    if not isinstance(node, dict):
        return
    if "fact" in node:
        _comparison(node, defines, found, seen)
        return
    for value in node.values():
        _collect(value, defines, found, seen)


def _comparison(node, defines, found, seen):
    name = node["fact"]
    if name in defines and name not in seen:
        seen.add(name)
        _collect(defines[name], defines, found, seen)
    for op in PARAMETER_OPS:
        values = node.get(op)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.setdefault((name, op), set()).add(value)


def render(text: str, condition: dict[str, object], defines: Mapping[str, object]) -> str:
    """Return the text with its parameters filled in; raise TextError naming the problem."""
    if not text:
        return text
    internal = INTERNAL.search(text)
    if internal:
        raise TextError(f"{internal.group(0)!r} is an internal reference: put it in the "
                        "editor note, not in what clinicians or patients read")
    found = parameters(condition, defines)
    rendered = PARAMETER.sub(lambda match: _value(match, found), text)
    if "{" in rendered or "}" in rendered:
        raise TextError("braces only name a parameter, such as {corrected_calcium_mmol_l.lt}")
    held = {value for values in found.values() for value in values}
    for number in NUMBER.findall(PARAMETER.sub("", text)):
        if float(number) in held:
            raise TextError(f"{number} is held by the condition: write it as a parameter, "
                            f"e.g. {{{_example(found, float(number))}}}, so the text follows it")
    return rendered


def _value(match, found):
    fact, op, decimals = match.groups()
    values = found.get((fact, op))
    if not values:
        known = ", ".join(f"{{{f}.{o}}}" for f, o in sorted(found)) or "none"
        raise TextError(f"{{{fact}.{op}}} names no comparison in this rule's condition "
                        f"(or its derived facts); parameters here: {known}")
    if len(values) > 1:
        raise TextError(f"{{{fact}.{op}}} is ambiguous: the condition holds "
                        f"{sorted(values)}")
    return format_number(next(iter(values)), decimals)


def format_number(value: float, decimals: str | int | None = None) -> str:
    """Return a threshold as clinicians write it: 30, 2.2, or 2.20 with two decimals."""
    if decimals is not None:
        return f"{value:.{int(decimals)}f}"
    if float(value).is_integer():
        return str(int(value))
    return str(value)


def _example(found, number):
    for (fact, op), values in sorted(found.items()):
        if number in values:
            return f"{fact}.{op}"
    return "fact.op"
