"""Fetch what the EHR did not prefetch from its FHIR server, with the bearer token it gave
(never logged); otherwise 412.

The token is the EHR's, for its own server: BoneCare sends requests only to URLs under the
FHIR base URL registered for the client (same scheme, host and port; the path at or below
the base's once dot segments are resolved), follows no redirect (a 3xx is the data being
absent), ignores proxy settings in the environment, and stops at a deadline
(BONECARE_CDS_FETCH_TIMEOUT_SECONDS for all of one call's requests) and at MAX_BYTES of
answers per call.
"""

import http.client
import json
import posixpath
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from fhir_core.fhirabstractmodel import FHIRAbstractModel

from options.http.errors import ErrorItem

from .fhir import ABSENT, HookRequest, RequestInvalid, resources_of
from .hooks import prefetch_templates

# Without these BoneCare cannot map the assessment; the others are context for the card.
NEEDED = ("patient", "conditions", "observations", "allergies")
MAX_PAGES = 5
MAX_BYTES = 5_000_000  # every answer of one call together
CHUNK_BYTES = 65_536
DEFAULT_PORTS = {"http": 80, "https": 443}


class PrefetchUnavailable(Exception):
    """A prefetch key the service needs is absent and cannot be fetched; carries errors."""

    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Follow no redirect: urllib then raises HTTPError with the 3xx status."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# No ProxyHandler from the environment (an http proxy would read the token), no redirects.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class _Budget:
    """What one call may still spend on fetching: time and bytes."""

    def __init__(self) -> None:
        self.timeout = settings.BONECARE_CDS_FETCH_TIMEOUT_SECONDS
        self.deadline = time.monotonic() + self.timeout
        self.bytes_left = MAX_BYTES

    def seconds_left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


def url_under_base(url: str, base: str) -> bool:
    """Tell whether `url` lies under the FHIR base URL `base`: http(s), the same scheme, host
    and port, no user name or password, and its path (percent-decoded, dot segments
    resolved) the base's path or below it."""
    if not base or "\\" in url:
        return False
    try:
        found, registered = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
        found_port, registered_port = found.port, registered.port
    except ValueError:
        return False
    if (found.scheme not in DEFAULT_PORTS or found.scheme != registered.scheme
            or not found.hostname or found.hostname != registered.hostname
            or found.username is not None or found.password is not None
            or (found_port or DEFAULT_PORTS[found.scheme])
            != (registered_port or DEFAULT_PORTS[registered.scheme])):
        return False
    path, root = _resolved(found.path), _resolved(registered.path).rstrip("/")
    return path == root or path.startswith(root + "/")


def _resolved(path: str) -> str:
    return posixpath.normpath(re.sub("/+", "/", "/" + urllib.parse.unquote(path)))


def prefetch_complete(request: HookRequest, *, observation_codes: Iterable[str],
                      registered_server: str = "") -> None:
    """Fill each absent prefetch key from fhirServer; raise PrefetchUnavailable if a needed
    one cannot be had. Context-only keys that cannot be fetched are left out."""
    absent = [key for key, value in request.prefetch.items() if value is ABSENT]
    if not absent:
        return
    token = (request.fhir_authorization or {}).get("access_token")
    reason = _cannot_fetch(request.fhir_server, token, registered_server)
    if reason:
        missing = [k for k in absent if k in NEEDED]
        for key in absent:
            request.prefetch[key] = None if key not in NEEDED else ABSENT
        if missing:
            raise PrefetchUnavailable([{"path": f"prefetch.{key}", "message": f"absent, and "
                                        f"{reason}"} for key in missing])
        return
    templates, budget = prefetch_templates(observation_codes), _Budget()
    patient_id = urllib.parse.quote(request.context["patientId"], safe="")
    for key in absent:
        query = templates[key].replace("{{context.patientId}}", patient_id)
        request.prefetch[key] = _fetch(_url(request.fhir_server, query), token, key,
                                       base=registered_server, budget=budget)


def record_read(server: str, token: str, patient_id: str, keys: Iterable[str], *,
                observation_codes: Iterable[str]) -> dict[str, object]:
    """Read the patient's record as the prefetch keys name it (SMART launch: the same reads,
    limits and refusals as a CDS Hooks fetch), from `server` alone; a key not asked for is
    None (not granted: its fields stay absent). Raises PrefetchUnavailable."""
    templates, budget = prefetch_templates(observation_codes), _Budget()
    wanted = set(keys)
    patient = urllib.parse.quote(patient_id, safe="")
    record = {}
    for key, template in templates.items():
        if key not in wanted:
            record[key] = None
            continue
        query = template.replace("{{context.patientId}}", patient)
        record[key] = _fetch(_url(server, query), token, key, base=server, budget=budget)
    return record


def _cannot_fetch(server: str, token: str | None, registered: str) -> str:
    if not (server and token):
        return "no fhirServer with fhirAuthorization to fetch it from"
    if not url_under_base(server, registered):
        return "fhirServer is not the FHIR server registered for this client"
    return ""


def _url(server: str, query: str) -> str:
    path, _, params = query.partition("?")
    pairs = urllib.parse.parse_qsl(params, keep_blank_values=True)
    encoded = urllib.parse.urlencode(pairs, safe="|,:/")
    return server.rstrip("/") + "/" + path + (f"?{encoded}" if encoded else "")


def _fetch(url: str, token: str, key: str, *, base: str,
           budget: _Budget) -> list[FHIRAbstractModel] | None:
    pages = []
    while url:
        # A partial answer could read as a whole one (a problem list without its cancer).
        if len(pages) == MAX_PAGES:
            raise _unavailable(key, f"the FHIR server's answer runs to more than {MAX_PAGES} "
                                    "pages")
        if not url_under_base(url, base):
            raise _unavailable(key, "a page it named is not under the registered FHIR server")
        pages.append(_get(url, token, key, budget))
        url = _next_link(pages[-1])
    try:
        return resources_of(pages if len(pages) > 1 else pages[0], f"prefetch.{key}")
    except RequestInvalid as invalid:
        raise PrefetchUnavailable([{"path": e["path"], "message": "the FHIR server's answer: "
                                    + e["message"]} for e in invalid.errors]) from None


def _unavailable(key: str, reason: str) -> PrefetchUnavailable:
    return PrefetchUnavailable([{"path": f"prefetch.{key}", "message": f"absent, and {reason}"}])


def _get(url: str, token: str, key: str, budget: _Budget) -> object:
    try:
        return json_request(url, token=token, budget=budget)
    except FetchFailed as failed:
        raise _unavailable(key, failed.reason) from None


class FetchFailed(Exception):
    """A request to the EHR's server got no usable answer; `reason` says why, in words."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def json_request(url: str, *, token: str = "", budget: _Budget | None = None,
                 body: object = None) -> object:
    """GET (or, with a body, POST) JSON at one URL: no redirect followed, no proxy, within
    the budget's deadline and bytes; raises FetchFailed. The token is sent, never logged."""
    budget = budget or _Budget()
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/fhir+json"
    request = urllib.request.Request(url, data=data, headers=headers,
                                     method="POST" if data is not None else "GET")
    try:
        with _OPENER.open(request, timeout=budget.seconds_left()) as response:
            answer = _read(response, budget)
            location = response.headers.get("Location", "")
            parsed = json.loads(answer) if answer.strip() else {}
            if body is not None and isinstance(parsed, dict) and location:
                parsed.setdefault("_location", location)
            return parsed
    except urllib.error.HTTPError as error:
        raise FetchFailed(f"the FHIR server answered {error.code}" + (
            " (a redirect, which BoneCare does not follow)" if 300 <= error.code < 400
            else ""), error.code) from None
    except _TooLarge:
        raise FetchFailed(f"the FHIR server's answers are larger than {MAX_BYTES} bytes") \
            from None
    except (TimeoutError, urllib.error.URLError, OSError):
        raise FetchFailed(f"the FHIR server did not answer within {budget.timeout} s") \
            from None
    except (ValueError, RecursionError):
        raise FetchFailed("the FHIR server's answer is not JSON") from None


class _TooLarge(Exception):
    pass


def _read(response: http.client.HTTPResponse, budget: _Budget) -> bytes:
    """Read the body in chunks, within the call's deadline and its bytes left."""
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > budget.bytes_left:
        raise _TooLarge
    chunks = []
    while chunk := response.read1(CHUNK_BYTES):
        budget.bytes_left -= len(chunk)
        if budget.bytes_left < 0:
            raise _TooLarge
        budget.seconds_left()
        chunks.append(chunk)
    return b"".join(chunks)


def _next_link(page: object) -> str | None:
    if not isinstance(page, dict) or not isinstance(page.get("link"), list):
        return None
    for link in page["link"]:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) and url else None
    return None
