"""A machine door's JSON out: DRF's JSON, written by orjson, and chosen without parsing a
plain Accept.

An evaluation's result is several kilobytes of JSON; the standard library's encoder took
a noticeable share of an evaluation's CPU (make bench-api; docs/speed.md). orjson writes
the same document: dates and times still go through DRF's encoder (so they read exactly as
before), U+2028 and U+2029 are still escaped, and anything orjson refuses (an integer beyond
64 bits, a key that is not a string) or an indented rendering falls back to DRF's renderer.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_DRF_DEFAULT = JSONEncoder().default  # what DRF writes for dates, times, decimals and the rest
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class CompactJSONRenderer(JSONRenderer):
    """DRF's compact JSON, written by orjson where it writes the same bytes' meaning."""

    def render(self, data: object, accepted_media_type: str | None = None,
               renderer_context: Mapping[str, Any] | None = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_DRF_DEFAULT, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError is one: DRF decides (and explains)
            return super().render(data, accepted_media_type, renderer_context)
        for raw, escaped in _LINE_SEPARATORS:
            if raw in body:
                body = body.replace(raw, escaped)
        return body


# Accept headers that any JSON renderer satisfies as it stands: no parsing needed.
PLAIN_ACCEPTS = frozenset({"", "*/*", "application/json", "application/*"})


class JSONContentNegotiation(DefaultContentNegotiation):
    """Choose the first renderer at once for a request that names no format and accepts it
    plainly; anything else (a quality list, `indent=`, `?format=`) is DRF's negotiation."""

    def select_renderer(self, request: Request, renderers: Sequence[BaseRenderer],
                        format_suffix: str | None = None) -> tuple[BaseRenderer, str]:
        meta = request.META
        if (format_suffix is None and not meta.get("QUERY_STRING")
                and meta.get("HTTP_ACCEPT", "") in PLAIN_ACCEPTS):
            renderer = renderers[0]
            return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
