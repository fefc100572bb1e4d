"""JSON that people type or upload, refused when it nests deeper than BoneCare ever needs.

Everything that reads JSON recursively (the decoder, the rules parser, the validator, the
pretty-printer) would otherwise fail with RecursionError, a 500. The deepest file BoneCare
ships, the default ruleset, nests 11 levels.
"""

import json

MAX_DEPTH = 32
TOO_DEEP = f"nested too deeply: at most {MAX_DEPTH} levels of lists and objects"


class JSONTooDeep(ValueError):
    """The JSON nests more than MAX_DEPTH levels of lists and objects."""

    def __init__(self):
        super().__init__(TOO_DEEP)


def json_loads(text):
    """Parse JSON text, raising JSONTooDeep when it nests too deeply."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONTooDeep() from None
    json_depth_check(value)
    return value


def json_depth_check(value):
    """Raise JSONTooDeep when parsed data nests more than MAX_DEPTH lists and objects."""
    level, depth = [value], 0
    while level:
        containers = [item for item in level if isinstance(item, (list, dict))]
        if not containers:
            return
        depth += 1
        if depth > MAX_DEPTH:
            raise JSONTooDeep()
        level = [child for item in containers
                 for child in (item.values() if isinstance(item, dict) else item)]
