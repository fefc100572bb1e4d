"""Fetch what the EHR did not prefetch from its FHIR server, with the bearer token it gave
(never logged), a timeout, and at most a few pages; otherwise 412."""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from .fhir import ABSENT, RequestInvalid, resources_of
from .hooks import prefetch_templates

# Without these BoneCare cannot map the assessment; the others are context for the card.
NEEDED = ("patient", "conditions", "observations", "allergies")
MAX_PAGES = 5
MAX_BYTES = 5_000_000


class PrefetchUnavailable(Exception):
    """A prefetch key the service needs is absent and cannot be fetched; carries errors."""

    def __init__(self, errors):
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


def prefetch_complete(request, *, observation_codes, registered_server=""):
    """Fill each absent prefetch key from fhirServer; raise PrefetchUnavailable if a needed
    one cannot be had. Context-only keys that cannot be fetched are left out.

    Only a fhirServer under the client's registered FHIR base URL is asked: BoneCare never
    sends a request, or an EHR's token, anywhere a call's body names.
    """
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
    templates = prefetch_templates(observation_codes)
    patient_id = request.context["patientId"]
    for key in absent:
        query = templates[key].replace("{{context.patientId}}", urllib.parse.quote(patient_id))
        request.prefetch[key] = _fetch(request.fhir_server, query, token, key)


def _cannot_fetch(server, token, registered):
    if not (server and token):
        return "no fhirServer with fhirAuthorization to fetch it from"
    base = registered.rstrip("/")
    if not base or not (server.rstrip("/") == base or server.startswith(base + "/")):
        return "fhirServer is not the FHIR server registered for this client"
    return ""


def _url(server, query):
    path, _, params = query.partition("?")
    pairs = urllib.parse.parse_qsl(params, keep_blank_values=True)
    encoded = urllib.parse.urlencode(pairs, safe="|,:/")
    return server.rstrip("/") + "/" + path + (f"?{encoded}" if encoded else "")


def _fetch(server, query, token, key):
    url, pages = _url(server, query), []
    while url and len(pages) < MAX_PAGES:
        page = _get(url, token, key)
        pages.append(page)
        url = _next_link(page, server)
    try:
        return resources_of(pages if len(pages) > 1 else pages[0], f"prefetch.{key}")
    except RequestInvalid as invalid:
        raise PrefetchUnavailable([{"path": e["path"], "message": "the FHIR server's answer: "
                                    + e["message"]} for e in invalid.errors]) from None


def _get(url, token, key):
    request = urllib.request.Request(url, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/fhir+json"})
    timeout = settings.BONECARE_CDS_FETCH_TIMEOUT_SECONDS
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read(MAX_BYTES))
    except urllib.error.HTTPError as error:
        reason = f"the FHIR server answered {error.code}"
    except (TimeoutError, urllib.error.URLError, OSError):
        reason = f"the FHIR server did not answer within {timeout} s"
    except ValueError:
        reason = "the FHIR server's answer is not JSON"
    raise PrefetchUnavailable([{"path": f"prefetch.{key}", "message": f"absent, and {reason}"}])


def _next_link(page, server):
    if not isinstance(page, dict):
        return None
    for link in page.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url") or ""
            # Follow a next page only on the EHR's own server: the token goes with it.
            return url if url.startswith(server.rstrip("/") + "/") else None
    return None
