"""The shipped code lists (data/code_lists.json), installed by the data migration."""

import json
from pathlib import Path

DEFAULTS = Path(__file__).resolve().parent / "data" / "code_lists.json"


def code_lists_install(*, entry_model):
    """Add every shipped code that is not stored yet; an editor's changes are kept.

    Takes the model as an argument so that a migration can pass its historical one.
    """
    created = 0
    for entry in json.loads(DEFAULTS.read_text(encoding="utf-8"))["entries"]:
        _, new = entry_model.objects.get_or_create(
            code_list=entry["code_list"], system=entry["system"], code=entry["code"],
            defaults={"value": entry["value"], "display": entry["display"],
                      "evidence": entry["evidence"]})
        created += new
    return created
