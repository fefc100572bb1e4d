"""What a ruleset holds, as one canonical document and its SHA-256 digest.

The digest is taken when a draft is submitted and checked when it is approved and published
(and stamped on the ruleset when first published, checked again at a rollback): what a
clinical safety officer approved is, to the byte, what reaches clinicians and EHRs, however
it might have been written in between.
"""

import hashlib
import json

from .models import EXPECTATION_FIELDS, Expectation, RuleSet
from .transfer import ruleset_file

ADDED_LATER = {"bonecare_default": False}  # rule field: its default
CASE_FIELDS = ("code", "title", "assessment", *EXPECTATION_FIELDS, "note")


def ruleset_content(ruleset: RuleSet) -> dict:
    """Return the ruleset's rules, documents, code lists and expectations as plain data."""
    content = ruleset_file(ruleset)
    # A field added later is left out where it holds its default, so that a ruleset
    # published before it existed keeps the digest it was approved and published with.
    content["rules"] = sorted(({key: value for key, value in rule.items()
                                if key not in ADDED_LATER or value != ADDED_LATER[key]}
                               for rule in content["rules"]), key=lambda rule: rule["code"])
    content["expectations"] = list(Expectation.objects.filter(ruleset=ruleset)
                                   .order_by("code").values(*CASE_FIELDS))
    return content


def _canonical(content: dict) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      default=str)


def content_digest(content: dict) -> str:
    """Return the SHA-256 (hex) of a ruleset's content as ruleset_content gives it."""
    return hashlib.sha256(_canonical(content).encode("ascii")).hexdigest()


def ruleset_digest(ruleset: RuleSet) -> str:
    """Return the SHA-256 (hex) of the ruleset's canonical content."""
    return content_digest(ruleset_content(ruleset))


def ruleset_snapshot(ruleset: RuleSet) -> dict:
    """Return the ruleset's canonical content as plain JSON data, to store: its digest is
    the ruleset's digest."""
    return json.loads(_canonical(ruleset_content(ruleset)))
