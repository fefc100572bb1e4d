"""An absent prefetch is fetched from the EHR's FHIR server with its bearer token (a real
server process here); a timeout, a refusal or no server at all is a 412 naming the key.
The token goes nowhere else: not after a redirect (a second local server must receive
nothing), not to a next page elsewhere, not through a proxy named in the environment."""

import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from options.cds_hooks import fetch
from options.cds_hooks.fetch import url_under_base
from options.cds_hooks.models import CdsCallAudit

from .helpers import PATIENT_VIEW, bonecare, call, example, request_of

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fhir-access-token-for-tests"


class _Recorder(BaseHTTPRequestHandler):
    """Answer anything with 200 {}, after writing down what was asked and with which headers."""

    def parse_request(self):
        parsed = super().parse_request()
        self.server.received.append((self.command, self.path, dict(self.headers)))
        return parsed

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_CONNECT = do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def elsewhere():
    """A second local server, somewhere the EHR's token must never reach."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _nothing_received_yet(elsewhere):
    elsewhere.received.clear()


def _url(server):
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def fhir_server(elsewhere):
    """The example V34's FHIR data behind http://127.0.0.1:<free port>/fhir, redirecting
    /moved-3xx/ and pointing /next-away/'s next pages to `elsewhere`."""
    process = subprocess.Popen([sys.executable, "-m", "tests.cds_hooks.fhir_server", "V34",
                                TOKEN, _url(elsewhere)], cwd=ROOT, stdout=subprocess.PIPE,
                               text=True)
    port = int(process.stdout.readline())
    yield f"http://127.0.0.1:{port}/fhir"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _short_timeout(settings):
    settings.BONECARE_CDS_FETCH_TIMEOUT_SECONDS = 0.5


def _register(ehr, server):
    """Register the EHR's FHIR server, as an administrator does."""
    ehr.client.fhir_server = server
    ehr.client.save(update_fields=["fhir_server"])


def _without_prefetch(server, *, token=TOKEN, keys=("conditions", "observations")):
    request = request_of("V34")
    for key in keys:
        del request["prefetch"][key]
    if server:
        request["fhirServer"] = server
        request["fhirAuthorization"] = {"access_token": token, "token_type": "Bearer",
                                        "expires_in": 300, "scope": "patient/*.read",
                                        "subject": "bonecare"}
    return request


def test_absent_prefetch_is_fetched_with_the_bearer_token(client, cds_ehr, published_ruleset,
                                                          fhir_server, caplog):
    _register(cds_ehr, fhir_server)
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(fhir_server))
    assert response.status_code == 200, response.content
    (card,) = response.json()["cards"]
    assert bonecare(card)["assessment"] == example("V34")["mapped_assessment"]
    assert TOKEN not in caplog.text


def test_a_fhir_server_that_does_not_answer_in_time_is_a_412(client, cds_ehr,
                                                            published_ruleset, fhir_server):
    slow = fhir_server.replace("/fhir", "/slow/fhir")
    _register(cds_ehr, fhir_server.removesuffix("/fhir"))
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(slow, keys=["conditions"]))
    assert response.status_code == 412
    error = response.json()["errors"][0]
    assert error["path"] == "prefetch.conditions" and "did not answer within" in error["message"]
    assert CdsCallAudit.objects.get().outcome == "precondition"


def test_a_refused_token_is_a_412(client, cds_ehr, published_ruleset, fhir_server):
    _register(cds_ehr, fhir_server)
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(fhir_server, token="bad"))
    assert response.status_code == 412
    assert "answered 401" in response.json()["errors"][0]["message"]


def test_no_fhir_server_is_a_412_naming_each_absent_key(client, cds_ehr, published_ruleset):
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(None))
    assert response.status_code == 412
    assert [e["path"] for e in response.json()["errors"]] == ["prefetch.conditions",
                                                               "prefetch.observations"]


def test_an_unreachable_fhir_server_is_a_412(client, cds_ehr, published_ruleset):
    _register(cds_ehr, "http://127.0.0.1:9")
    request = _without_prefetch("http://127.0.0.1:9/fhir", keys=["allergies"])
    assert call(client, cds_ehr, PATIENT_VIEW, request).status_code == 412


@pytest.mark.parametrize("registered", ["", "http://127.0.0.1:1/fhir"],
                         ids=["none-registered", "another-registered"])
def test_only_the_registered_fhir_server_is_asked(client, cds_ehr, published_ruleset,
                                                  fhir_server, registered):
    _register(cds_ehr, registered)
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(fhir_server))
    assert response.status_code == 412
    assert "not the FHIR server registered" in response.json()["errors"][0]["message"]


def test_context_only_keys_may_be_absent_without_a_server(client, cds_ehr, published_ruleset):
    request = _without_prefetch(None, keys=["medications", "procedures"])
    assert call(client, cds_ehr, PATIENT_VIEW, request).status_code == 200


def test_null_prefetch_means_no_data_not_absent(client, cds_ehr, published_ruleset):
    request = request_of("V01")
    request["prefetch"]["observations"] = None
    (card,) = call(client, cds_ehr, PATIENT_VIEW, request).json()["cards"]
    assert "creatinine_clearance_ml_min" not in bonecare(card)["assessment"]


def _root(server):
    return server.removesuffix("/fhir")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_the_other_server_receives_nothing(
        client, cds_ehr, published_ruleset, fhir_server, elsewhere, status):
    _register(cds_ehr, _root(fhir_server))
    moved = f"{_root(fhir_server)}/moved-{status}/fhir"
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(moved))
    assert response.status_code == 412
    message = response.json()["errors"][0]["message"]
    assert f"answered {status}" in message and "redirect" in message
    assert elsewhere.received == []


def test_a_next_page_on_another_server_is_not_fetched(client, cds_ehr, published_ruleset,
                                                      fhir_server, elsewhere):
    _register(cds_ehr, _root(fhir_server))
    away = f"{_root(fhir_server)}/next-away/fhir"
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(away, keys=["conditions"]))
    assert response.status_code == 412
    assert "not under the registered" in response.json()["errors"][0]["message"]
    assert elsewhere.received == []


def test_a_proxy_in_the_environment_is_not_used(client, cds_ehr, published_ruleset,
                                                fhir_server, elsewhere, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, _url(elsewhere))
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(urllib.request, "_opener", None)  # urlopen's, built from the env
    _register(cds_ehr, fhir_server)
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(fhir_server))
    assert response.status_code == 200, response.content
    assert elsewhere.received == []


def test_answers_over_the_size_cap_are_a_412(client, cds_ehr, published_ruleset, fhir_server,
                                             monkeypatch):
    monkeypatch.setattr(fetch, "MAX_BYTES", 500)
    _register(cds_ehr, fhir_server)
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(fhir_server))
    assert response.status_code == 412
    assert "larger than 500 bytes" in response.json()["errors"][0]["message"]


def test_a_fhir_server_outside_the_registered_path_is_not_asked(client, cds_ehr,
                                                                published_ruleset, fhir_server):
    _register(cds_ehr, fhir_server)
    outside = f"{fhir_server}/../moved-302/fhir"
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(outside))
    assert response.status_code == 412
    assert "not the FHIR server registered" in response.json()["errors"][0]["message"]


BASE = "https://ehr.example/fhir/R4"


@pytest.mark.parametrize("url, under", [
    (BASE, True),
    (f"{BASE}/", True),
    (f"{BASE}/Patient/p1?_id=1", True),
    ("HTTPS://EHR.EXAMPLE:443/fhir/R4/Condition", True),
    (f"{BASE}/a/../Condition", True),
    (f"{BASE}/..", False),
    (f"{BASE}/../R5/Condition", False),
    (f"{BASE}/%2e%2e/%2E%2E/admin", False),
    (f"{BASE}/..%2f..%2fadmin", False),
    ("https://ehr.example/fhir/R40/Condition", False),
    ("https://ehr.example//fhir/R4/../../x", False),
    ("http://ehr.example/fhir/R4/Condition", False),
    ("https://ehr.example:8443/fhir/R4/Condition", False),
    ("https://ehr.example.evil/fhir/R4/Condition", False),
    ("https://ehr.example@evil.example/fhir/R4/Condition", False),
    ("https://user:pw@ehr.example/fhir/R4/Condition", False),
    ("https://ehr.example\\@evil.example/fhir/R4/Condition", False),
    ("ftp://ehr.example/fhir/R4/Condition", False),
    ("https://ehr.example:99999/fhir/R4/Condition", False),
    ("/fhir/R4/Condition", False),
], ids=lambda value: value if isinstance(value, str) else "")
def test_only_urls_under_the_registered_base_are_fetched(url, under):
    assert url_under_base(url, BASE) is under


def test_nothing_is_under_no_registered_base():
    assert url_under_base(BASE, "") is False
