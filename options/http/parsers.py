"""Parse request bodies within a size limit, turning every malformed body into a 4xx."""

import io
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .errors import RequestTooLarge


class LimitedJSONParser(JSONParser):
    """Parse JSON of at most BONECARE_API_MAX_BODY_BYTES (or the subclass's `limit_setting`);
    too large is 413, too deep 400."""

    limit_setting = "BONECARE_API_MAX_BODY_BYTES"

    def parse(self, stream: IO[bytes], media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> object:
        limit = getattr(settings, self.limit_setting)
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > limit:
            raise RequestTooLarge(f"The request body must be at most {limit} bytes.")
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise RequestTooLarge(f"The request body must be at most {limit} bytes.")
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None

