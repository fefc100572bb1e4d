"""Every URL the site answers, built from the URL resolver with its path parameters filled.

A test gives the values for each parameter name (and says which of them name a patient's
record); the walk yields one concrete path per combination, so a page added tomorrow is
walked tomorrow without anyone listing it.
"""

import itertools
import re
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")
# The regexes the site uses: named groups, unnamed groups and a trailing wildcard, none nested.
REGEX_PARAMETER = re.compile(
    r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)|\((?P<anon>[^()]*)\)|(?P<wild>\.\*)")
LITERAL_CHOICES = re.compile(r"[\w-]+(?:\|[\w-]+)+")


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern: its pieces from the root, its callback, and its admin model if any."""

    pieces: tuple
    callback: object
    model: type | None
    name: str | None


@dataclass(frozen=True)
class Url:
    """A concrete path, the pattern it was built from, and whether it names a patient record."""

    path: str
    endpoint: Endpoint
    names_record: bool


def endpoints():
    """Yield every endpoint of the URL configuration, with the admin model it belongs to."""
    admin_models = {f"{m._meta.app_label}/{m._meta.model_name}/": m for m in admin.site._registry}
    return _endpoints(get_resolver().url_patterns, (), None, admin_models)


def _endpoints(patterns, pieces, model, admin_models):
    for pattern in patterns:
        piece = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner_model = admin_models.get(piece) if pieces == ("admin/",) else model
            yield from _endpoints(pattern.url_patterns, (*pieces, piece), inner_model,
                                  admin_models)
        elif isinstance(pattern, URLPattern):
            yield Endpoint((*pieces, piece), pattern.callback, model, pattern.name)


def _slots(piece):
    """Split one pattern piece into literal text and parameter slots (name, choices)."""
    if piece.startswith("^") or piece.endswith("$") or "(" in piece or ".*" in piece:
        piece, finder = piece.removeprefix("^").removesuffix("$"), REGEX_PARAMETER
    else:
        finder = ROUTE_PARAMETER
    slots, position, unnamed = [], 0, 0
    for found in finder.finditer(piece):
        slots.append(piece[position:found.start()])
        groups = found.groupdict()
        if groups.get("wild"):
            name, choices = "wildcard", None
        elif groups.get("name"):
            body = groups.get("body") or ""
            name = found["name"]
            choices = body.split("|") if LITERAL_CHOICES.fullmatch(body) else None
        else:  # django-simple-history's unnamed (object id, history id)
            name, unnamed = ("object_id", "history_id")[unnamed], unnamed + 1
            choices = None
        slots.append((name, choices))
        position = found.end()
    slots.append(piece[position:])
    return slots


def urls(values):
    """Yield every endpoint's paths: `values(name, endpoint)` gives [(value, names_record)]."""
    for endpoint in endpoints():
        slots = [slot for piece in endpoint.pieces for slot in _slots(piece)]
        options = [[(slot, False)] if isinstance(slot, str)
                   else [(choice, False) for choice in slot[1]] if slot[1]
                   else values(slot[0], endpoint)
                   for slot in slots]
        for combination in itertools.product(*options):
            path = "/" + "".join(str(value) for value, _ in combination)
            yield Url(path, endpoint, any(record for _, record in combination))
