"""Read a CDS Hooks request and its FHIR R4 prefetch into typed resources (fhir.resources,
R4B models). No Django. Every problem is reported with its path in the request body."""

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from .hooks import PREFETCH_KEYS

if TYPE_CHECKING:  # a hint only: at run time this module stays free of Django
    from options.http.errors import ErrorItem

ABSENT = object()  # a prefetch key the EHR did not satisfy (as against null: no data)

# Control characters but tab, line feed and carriage return (which FHIR strings allow), and
# lone surrogates: PostgreSQL refuses NUL and a surrogate cannot be written as UTF-8, and
# none of them belongs in text a clinician reads.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# No string BoneCare reads (a code, a display, a narrative) is longer than this.
MAX_STRING = 65_536
MAX_TEXT_ERRORS = 20
# FHIR's id datatype: context.patientId goes into the URLs of a fetch.
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


class RequestInvalid(Exception):
    """The hook request breaks CDS Hooks or FHIR; carries [{"path", "message"}]."""

    def __init__(self, errors: "list[ErrorItem]") -> None:
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass
class HookRequest:
    """What BoneCare uses of one hook call."""

    hook: str
    hook_instance: str
    context: dict
    fhir_server: str = ""
    fhir_authorization: dict | None = field(default=None, repr=False)  # never logged
    prefetch: dict = field(default_factory=dict)  # key -> list of resources, None, or ABSENT


# Written by itself in a string (json.dumps, ensure_ascii off): C1 controls and surrogates.
_RAW_CONTROL = re.compile("[\x80-\x9f\ud800-\udfff]")


def _maybe_control(text: str) -> bool:
    """Tell whether a body as json.dumps writes it (ensure_ascii off) may hold a control
    character: an escape that may stand for one (\\b, \\f, \\u0000-\\u001f) or DEL, C1 or
    a surrogate written as itself. It may be wrong the safe way (an escaped backslash before
    a "b"), never the other."""
    if "\\u00" in text or "\\b" in text or "\\f" in text or "\x7f" in text:
        return True
    return not text.isascii() and _RAW_CONTROL.search(text) is not None


def text_errors(value: object, path: str = "") -> "list[ErrorItem]":
    """Return [{"path", "message"}] for the strings of a parsed JSON body, keys included,
    that hold a control character or are longer than MAX_STRING (at most MAX_TEXT_ERRORS).

    A body that, written out whole by the C encoder, is no longer than MAX_STRING and shows
    no sign of a control character has none: that check is far cheaper than the walk every
    call would otherwise pay. The walk runs without recursion: a body nested as deep as the JSON
    parser allows must not exhaust the stack here."""
    try:
        text = json.dumps(value, ensure_ascii=False, check_circular=False)
    except (RecursionError, ValueError, TypeError):
        text = None
    if text is not None and len(text) <= MAX_STRING and not _maybe_control(text):
        return []
    errors, stack = [], [(path, value)]
    while stack and len(errors) < MAX_TEXT_ERRORS:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                errors.append({"path": where, "message": problem})
        elif isinstance(item, dict):
            for key, inner in reversed(item.items()):
                if _text_problem(key):
                    errors.append({"path": _joined(where, _escaped(key)),
                                   "message": "a name " + _text_problem(key)})
                else:
                    stack.append((_joined(where, key), inner))
        elif isinstance(item, list):
            stack += [(f"{where}[{index}]", inner)
                      for index, inner in reversed(list(enumerate(item)))]
    return errors[:MAX_TEXT_ERRORS]


def _text_problem(text: str) -> str:
    if len(text) > MAX_STRING:
        return f"must be at most {MAX_STRING} characters"
    found = CONTROL.search(text)
    if found:
        return f"must not contain control characters (found U+{ord(found[0]):04X})"
    return ""


def _joined(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _escaped(text: str) -> str:
    return text[:100].encode("unicode_escape", "backslashreplace").decode("ascii")


def text_printable(value: object, limit: int) -> str:
    """Return a string for an audit row: control characters replaced, cut to `limit`."""
    return CONTROL.sub("\ufffd", value[:limit]) if isinstance(value, str) else ""


def _path(prefix: str, loc: Iterable[int | str]) -> str:
    text = prefix
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _errors(prefix: str, error: ValidationError) -> "list[ErrorItem]":
    return [{"path": _path(prefix, e["loc"]), "message": e["msg"]} for e in error.errors()]


@functools.lru_cache(maxsize=256)
def _model(kind: str) -> type[FHIRAbstractModel] | None:
    try:
        return get_fhir_model_class(kind)
    except (KeyError, ValueError):  # not a resource type of FHIR R4
        return None


def resource_parse(data: object, path: str) -> FHIRAbstractModel:
    """Return the typed FHIR resource for a JSON object; raise RequestInvalid with paths."""
    if not isinstance(data, dict):
        raise RequestInvalid([{"path": path, "message": "must be a FHIR resource (object)"}])
    kind = data.get("resourceType")
    model = _model(kind) if isinstance(kind, str) and len(kind) < 64 else None
    if model is None:
        raise RequestInvalid([{"path": f"{path}.resourceType",
                               "message": "must name a FHIR R4 resource type"}])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestInvalid(_errors(path, error)) from None
    except (TypeError, ValueError) as error:  # a library check outside pydantic's own
        raise RequestInvalid([{"path": path, "message": str(error)[:200]}]) from None


def resources_of(value: object, path: str) -> list[FHIRAbstractModel] | None:
    """Return the resources a prefetch value holds: a Bundle's entries (every page sent),
    a single resource as a list of one, or None for null.

    Each entry's resource is validated by its fhir.resources model; the Bundle envelope is
    only checked for its entries (validating it as a whole would make parsing markedly
    slower).
    """
    if value is None:
        return None
    pages = value if isinstance(value, list) else [value]
    resources = []
    for index, page in enumerate(pages):
        where = f"{path}[{index}]" if isinstance(value, list) else path
        if isinstance(page, dict) and page.get("resourceType") == "Bundle":
            resources += _entries(page, where)
        else:
            resources.append(resource_parse(page, where))
    return resources


def _entries(bundle: Mapping[str, object], path: str) -> list[FHIRAbstractModel]:
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise RequestInvalid([{"path": f"{path}.entry", "message": "must be a list"}])
    resources = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise RequestInvalid([{"path": f"{path}.entry[{index}]",
                                   "message": "must be an object"}])
        if entry.get("resource") is not None:
            resources.append(resource_parse(entry["resource"], f"{path}.entry[{index}].resource"))
    return resources


def _text(body: Mapping[str, object], name: str, errors: "list[ErrorItem]", *,
          required: bool = True, limit: int = 200) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        errors.append({"path": name, "message": f"required: a string of at most {limit} "
                                                "characters" if required else
                       f"a string of at most {limit} characters"})
        return ""
    return value


def request_parse(body: object, *, hook: str) -> HookRequest:
    """Check a hook call's body and parse its prefetch; raise RequestInvalid with paths."""
    if not isinstance(body, dict):
        raise RequestInvalid([{"path": "", "message": "the body must be a JSON object"}])
    errors = text_errors(body)
    if errors:
        raise RequestInvalid(errors)
    name = _text(body, "hook", errors, limit=40)
    if name and name != hook:
        errors.append({"path": "hook", "message": f"this service answers the {hook} hook"})
    instance = _text(body, "hookInstance", errors, limit=100)
    server = _text(body, "fhirServer", errors, required=False, limit=500)
    if server and not server.startswith(("https://", "http://")):
        errors.append({"path": "fhirServer", "message": "must be an http(s) URL"})
    context = body.get("context")
    if not isinstance(context, dict):
        errors.append({"path": "context", "message": "required: an object"})
        context = {}
    elif not isinstance(context.get("patientId"), str) or not FHIR_ID.fullmatch(
            context["patientId"]):
        errors.append({"path": "context.patientId", "message": "required: a FHIR id (1 to 64 "
                                                               "letters, digits, - and .)"})
    authorization = _authorization(body.get("fhirAuthorization"), errors)
    prefetch = body.get("prefetch", {})
    if not isinstance(prefetch, dict):
        errors.append({"path": "prefetch", "message": "must be an object"})
        prefetch = {}
    if errors:
        raise RequestInvalid(errors)
    return HookRequest(hook=name, hook_instance=instance, context=context, fhir_server=server,
                       fhir_authorization=authorization, prefetch=_prefetch(prefetch))


def _authorization(value: object, errors: "list[ErrorItem]") -> dict[str, object] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("access_token"), str):
        errors.append({"path": "fhirAuthorization.access_token", "message": "required: a "
                                                                            "string"})
        return None
    return value


def _prefetch(prefetch: Mapping[str, object]) -> dict[str, object]:
    parsed, errors = {}, []
    for key in PREFETCH_KEYS:
        if key not in prefetch:
            parsed[key] = ABSENT
            continue
        try:
            parsed[key] = resources_of(prefetch[key], f"prefetch.{key}")
        except RequestInvalid as invalid:
            errors += invalid.errors
    if errors:
        raise RequestInvalid(errors)
    return parsed


def draft_orders(context: Mapping[str, object]) -> list[FHIRAbstractModel]:
    """Return the draft orders of an order-select/order-sign context."""
    bundle = context.get("draftOrders")
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise RequestInvalid([{"path": "context.draftOrders", "message": "required: a Bundle"}])
    return _entries(bundle, "context.draftOrders")
