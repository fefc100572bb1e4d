"""JWT trust, as CDS Hooks 2.0 asks: every bad token is a 401 in the error shape, a client
without the service a 403, and nothing is evaluated for either."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from options.cds_hooks.models import CdsCallAudit
from options.cds_hooks.services import cds_client_create
from options.http.clients import client_revoke

from .helpers import BASE, ORDER_SIGN, PATIENT_VIEW, Ehr, example, service_url

BODY = json.dumps(example("V01")["request"])
URL = service_url(PATIENT_VIEW)


def _post(http, token, url=URL):
    return http.post(url, data=BODY, content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {token}")


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(ehr):
    now = int(time.time())
    claims = {"iss": ehr.iss, "aud": URL, "iat": now, "exp": now + 300, "jti": "n-1"}
    return f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'ec1'})}.{_b64(claims)}."


def _refused(response, words):
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 401 and words in body["errors"][0]["message"]
    assert "cards" not in body


def test_a_valid_es256_token_is_trusted(client, cds_ehr, published_ruleset):
    assert _post(client, cds_ehr.token(URL)).status_code == 200


def test_a_valid_rs256_token_is_trusted(client, cds_ehr, published_ruleset):
    assert _post(client, cds_ehr.token(URL, alg="RS256")).status_code == 200


@pytest.mark.parametrize("make, words", [
    (lambda e: e.token(URL, alg="ES384", key=ec.generate_private_key(ec.SECP384R1())),
     "not for this alg"),
    (lambda e: e.token(URL, alg="RS512"), "alg must be one of"),
    (_unsigned, "alg must be one of"),
    (lambda e: jwt.encode({"iss": e.iss, "aud": URL, "iat": int(time.time()),
                           "exp": int(time.time()) + 60, "jti": "h"},
                          "a-shared-secret-of-thirty-two-bytes!!", algorithm="HS256",
                          headers={"kid": "ec1"}), "alg must be one of"),
    (lambda e: e.token(URL, kid="unknown"), "kid names no key"),
    (lambda e: e.token(f"{BASE}/cds-services/other"), "aud must be the exact URL"),
    (lambda e: e.token(URL, exp=int(time.time()) - 61), "expired"),
    (lambda e: e.token(URL, iat=int(time.time()) + 120), "issued in the future"),
    (lambda e: e.token(URL, jti=None), "not valid"),
    (lambda e: e.token(URL, iat=None), "not valid"),
    (lambda e: e.token(URL, exp=int(time.time()) + 10 * 365 * 86400), "at most 5 minutes"),
    (lambda e: e.token(URL, exp=int(time.time()) + 301), "at most 5 minutes"),
    (lambda e: e.token(URL, iat=int(time.time()) - 200, exp=int(time.time()) + 200),
     "at most 5 minutes"),
    (lambda e: e.token(URL, exp=str(int(time.time()) + 60)), "must be numbers"),
    (lambda e: e.token(URL, key=ec.generate_private_key(ec.SECP256R1())), "not valid"),
    (lambda e: Ehr(iss="https://stranger.example").token(URL), "not a registered"),
    (lambda e: "not-a-jwt", "not a JWT"),
    (lambda e: f"{_b64({'alg': 'ES256', 'kid': ['ec1']})}.{_b64({'iss': e.iss})}.c2ln",
     "kid names no key"),
    (lambda e: f"{_b64(['ES256'])}.{_b64({'iss': e.iss})}.c2ln", "not a JWT"),
], ids=["wrong-alg-for-key", "rs512", "none", "hmac", "unknown-kid", "wrong-aud", "expired",
        "future-iat", "no-jti", "no-iat", "ten-years", "301-seconds", "400-seconds-from-past",
        "exp-as-text", "wrong-signature", "unknown-iss", "garbage", "kid-not-a-string",
        "header-not-an-object"])
def test_an_untrustworthy_token_is_refused(client, cds_ehr, published_ruleset, make, words):
    _refused(_post(client, make(cds_ehr)), words)


def test_sixty_seconds_of_clock_skew_are_allowed(client, cds_ehr, published_ruleset):
    now = int(time.time())
    assert _post(client, cds_ehr.token(URL, exp=now - 30, iat=now + 30)).status_code == 200


def test_a_token_living_exactly_five_minutes_is_trusted(client, cds_ehr, published_ruleset):
    now = int(time.time())
    assert _post(client, cds_ehr.token(URL, iat=now, exp=now + 300)).status_code == 200


def test_no_token_is_refused_with_www_authenticate(client, cds_ehr, published_ruleset):
    response = client.post(URL, data=BODY, content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_replayed_jti_is_refused_and_audited(client, cds_ehr, published_ruleset):
    token = cds_ehr.token(URL)
    assert _post(client, token).status_code == 200
    _refused(_post(client, token), "used before")
    assert list(CdsCallAudit.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "ok", "replayed"]


def test_a_jti_is_only_a_replay_for_the_same_issuer(client, cds_ehr, published_ruleset):
    other = Ehr(iss="https://other-ehr.example")
    cds_client_create(name="Other", iss=other.iss, jwks=other.jwks(),
                      services=[PATIENT_VIEW])
    assert _post(client, cds_ehr.token(URL, jti="same")).status_code == 200
    assert _post(client, other.token(URL, jti="same")).status_code == 200


def test_a_revoked_client_is_refused_at_its_next_call(client, cds_ehr, published_ruleset):
    assert _post(client, cds_ehr.token(URL)).status_code == 200
    client_revoke(client=cds_ehr.client)
    _refused(_post(client, cds_ehr.token(URL)), "revoked")


def test_a_client_without_the_service_is_forbidden(client, published_ruleset, ehr_keys):
    cds_client_create(name="Sign only", iss=ehr_keys.iss, jwks=ehr_keys.jwks(),
                      services=[ORDER_SIGN])
    response = _post(client, ehr_keys.token(URL))
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == "This CDS client may not call this " \
                                                      "service."
    assert CdsCallAudit.objects.get().outcome == "denied"


def test_discovery_needs_a_token_for_its_own_url(client, cds_ehr, published_ruleset):
    url = f"{BASE}/cds-services"
    assert client.get(url).status_code == 401
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {cds_ehr.token(url)}")
    assert response.status_code == 200
    services = {s["id"]: s for s in response.json()["services"]}
    assert set(services) == {PATIENT_VIEW, "bonecare-order-select", ORDER_SIGN}
    observations = services[PATIENT_VIEW]["prefetch"]["observations"]
    assert "http://loinc.org|29265-6" in observations
    assert "http://snomed.info/sct|968191000000100" in observations
    assert observations.endswith("&_sort=-date")
