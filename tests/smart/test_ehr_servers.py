"""The test EHR itself, before any BoneCare view uses it: a SMART launch done by hand.

An app's part is played here with `requests`: the authorization request (PKCE S256), the
EHR's login form, the code exchange, then FHIR reads and a DocumentReference write with the
access token. Every step is real HTTP to the two processes of tests/smart/ehr.py.
"""

import base64
import hashlib
import json
import re
import secrets
import time
import uuid
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.smart.ehr import (
    DEFAULT_FHIR_USER,
    DEFAULT_USER,
    KEY_CLIENT_ID,
    PUBLIC_CLIENT_ID,
    SCOPES,
    STANDALONE_SCOPES,
)

CONDITION_SCOPE = "patient/Condition.rs"


def pkce_pair():
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def smart_configuration(ehr):
    return requests.get(f"{ehr.fhir_base}/.well-known/smart-configuration", timeout=5).json()


class Launch:
    """One app's authorization at the EHR, in one browser-like Session."""

    def __init__(self, ehr, *, client_id=PUBLIC_CLIENT_ID, scope=SCOPES, launch=None):
        self.ehr = ehr
        self.client_id = client_id
        self.session = requests.Session()
        self.config = smart_configuration(ehr)
        self.verifier, challenge = pkce_pair()
        self.state = secrets.token_urlsafe(16)
        self.nonce = secrets.token_urlsafe(16)
        self.params = {
            "response_type": "code", "client_id": client_id, "redirect_uri": ehr.redirect_uri,
            "scope": scope, "state": self.state, "nonce": self.nonce,
            "aud": ehr.fhir_base,
            "code_challenge": challenge, "code_challenge_method": "S256",
        }
        if launch is not None:
            self.params["launch"] = launch

    def callback(self, subject=DEFAULT_USER):
        """Sign in as `subject` at the EHR's login form; return the query of the redirect
        to the app's callback (its code, or its error), which is not followed."""
        response = self.session.get(self.config["authorization_endpoint"], params=self.params,
                                    allow_redirects=False, timeout=5)
        location = urljoin(response.url, response.headers["location"])
        while not location.startswith(self.ehr.redirect_uri):
            response = self.session.get(location, allow_redirects=False, timeout=5)
            if response.status_code == 200:  # the login form
                action = re.search(r'<form[^>]* action="([^"]+)"', response.text)[1]
                response = self.session.post(
                    urljoin(location, action), allow_redirects=False, timeout=5,
                    data={"prompt": "login", "login": subject, "password": "any"})
            location = urljoin(location, response.headers["location"])
        query = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
        if "code" in query:
            assert query["state"] == self.state
        return query

    def token(self, code, **extra):
        """Exchange the code at the token endpoint; return the response."""
        data = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": self.ehr.redirect_uri, "code_verifier": self.verifier, **extra}
        if "client_assertion" not in extra:
            data["client_id"] = self.client_id
        return requests.post(self.config["token_endpoint"], data=data, timeout=5)

    def tokens(self, subject=DEFAULT_USER):
        """The whole launch: the token response's JSON."""
        response = self.token(self.callback(subject)["code"])
        assert response.status_code == 200, response.text
        return response.json()


def auth_keys(ehr):
    jwks_uri = smart_configuration(ehr)["jwks_uri"]
    return KeySet.import_key_set(requests.get(jwks_uri, timeout=5).json())


def fhir_get(ehr, path, access_token, **params):
    return requests.get(f"{ehr.fhir_base}/{path}", params=params, allow_redirects=False,
                        headers={"Authorization": f"Bearer {access_token}"}, timeout=5)


def document_for(patient):
    return {
        "resourceType": "DocumentReference", "status": "current",
        "subject": {"reference": f"Patient/{patient}"},
        "content": [{"attachment": {"contentType": "text/plain",
                                    "data": base64.b64encode(b"BoneCare summary").decode()}}],
    }


def fhir_post_document(ehr, access_token, document):
    return requests.post(f"{ehr.fhir_base}/DocumentReference", json=document, timeout=5,
                         headers={"Authorization": f"Bearer {access_token}",
                                  "Content-Type": "application/fhir+json"})


def test_the_smart_configuration_names_the_authorization_server(ehr):
    config = smart_configuration(ehr)
    assert config["issuer"] == ehr.auth_issuer
    assert config["authorization_endpoint"] == f"{ehr.auth_issuer}/auth"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert {"launch-ehr", "client-confidential-asymmetric", "permission-v2",
            "context-banner"} <= set(config["capabilities"])


def test_an_ehr_launch_gives_the_patient_and_the_token_reads_and_writes_its_record(ehr):
    ehr.user_set("dr-who", fhirUser="Practitioner/example-oncologist-2")
    launch = ehr.launch_create("p-v01", encounter="e-1", app_context='{"view":"summary"}')
    flow = Launch(ehr, launch=launch)
    answer = flow.tokens("dr-who")

    assert answer["patient"] == "p-v01"
    assert answer["encounter"] == "e-1"
    assert answer["need_patient_banner"] is True
    assert answer["appContext"] == '{"view":"summary"}'
    assert set(answer["scope"].split()) == set(SCOPES.split())
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 300
    id_token = jwt.decode(answer["id_token"], auth_keys(ehr)).claims
    assert id_token["fhirUser"] == "Practitioner/example-oncologist-2"
    assert (id_token["sub"], id_token["aud"], id_token["nonce"]) == (
        "dr-who", PUBLIC_CLIENT_ID, flow.nonce)
    assert id_token["iss"] == ehr.auth_issuer
    access = jwt.decode(answer["access_token"], auth_keys(ehr)).claims
    assert (access["aud"], access["patient"]) == (ehr.fhir_base, "p-v01")

    token = answer["access_token"]
    conditions = fhir_get(ehr, "Condition", token, patient="p-v01")
    assert conditions.status_code == 200
    assert conditions.json()["resourceType"] == "Bundle"
    assert fhir_get(ehr, "Patient/p-v01", token).json()["id"] == "p-v01"
    assert fhir_get(ehr, "Observation", token, patient="p-v01", code="x|y",
                    _sort="-date").status_code == 200
    assert fhir_get(ehr, "Condition", token, patient="p-v02").status_code == 403
    assert fhir_get(ehr, "Patient/p-v02", token).status_code == 403

    created = fhir_post_document(ehr, token, document_for("p-v01"))
    assert created.status_code == 201
    stored = created.json()
    assert created.headers["Location"].startswith(
        f"{ehr.fhir_base}/DocumentReference/{stored['id']}")
    assert [document["id"] for document in ehr.documents()] == [stored["id"]]
    assert "/fhir/Condition?patient=p-v01" in ehr.seen()


def test_documents_are_checked_and_written_for_the_tokens_patient_only(ehr):
    token = Launch(ehr, launch=ehr.launch_create("p-v01")).tokens()["access_token"]
    assert fhir_post_document(ehr, token, document_for("p-v02")).status_code == 422
    bad = {**document_for("p-v01"), "content": [{"attachment": {"contentType": "text/plain"}}]}
    assert fhir_post_document(ehr, token, bad).status_code == 422
    ehr.fhir_faults_set(document_status=500)
    assert fhir_post_document(ehr, token, document_for("p-v01")).status_code == 500
    assert ehr.documents() == []


def test_a_request_without_a_valid_token_is_refused(ehr):
    assert fhir_get(ehr, "Condition", "not-a-jwt", patient="p-v01").status_code == 401
    response = requests.get(f"{ehr.fhir_base}/Condition?patient=p-v01", timeout=5)
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_scopes_granted_limits_the_scope_and_the_fhir_server_refuses_the_rest(ehr):
    ehr.faults_set(scopes_granted=["launch", "openid", "fhirUser", "patient/Patient.r"])
    answer = Launch(ehr, launch=ehr.launch_create("p-v01")).tokens()
    assert set(answer["scope"].split()) == {"launch", "openid", "fhirUser", "patient/Patient.r"}
    token = answer["access_token"]
    assert fhir_get(ehr, "Patient/p-v01", token).status_code == 200
    refused = fhir_get(ehr, "Condition", token, patient="p-v01")
    assert refused.status_code == 403
    assert "insufficient_scope" in refused.headers["WWW-Authenticate"]
    assert fhir_post_document(ehr, token, document_for("p-v01")).status_code == 403


def test_unauthorized_after_refuses_the_reads_after_the_first_n(ehr):
    token = Launch(ehr, launch=ehr.launch_create("p-v01")).tokens()["access_token"]
    assert fhir_get(ehr, "Condition", token, patient="p-v01").status_code == 200
    ehr.fhir_faults_set(unauthorized_after=2)
    statuses = [fhir_get(ehr, "Condition", token, patient="p-v01").status_code
                for _ in range(3)]
    assert statuses == [200, 200, 401]


def test_redirect_to_sends_every_resource_request_elsewhere(ehr):
    token = Launch(ehr, launch=ehr.launch_create("p-v01")).tokens()["access_token"]
    ehr.fhir_faults_set(redirect_to="http://elsewhere.example/")
    response = fhir_get(ehr, "Condition", token, patient="p-v01")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "http://elsewhere.example/fhir/Condition?patient=p-v01")


@pytest.mark.parametrize("aud", ["http://127.0.0.1:1/fhir", None])
def test_an_authorization_request_for_another_fhir_server_is_refused(ehr, aud):
    flow = Launch(ehr, launch=ehr.launch_create("p-v01"))
    flow.params["aud"] = aud  # None: no aud at all
    answer = flow.callback()
    assert answer["error"] == "invalid_request"
    assert "aud" in answer["error_description"]
    assert "code" not in answer


def test_an_unknown_launch_is_refused(ehr):
    assert Launch(ehr, launch="made-up").callback()["error"] == "invalid_request"


def test_an_authorization_request_without_pkce_is_refused(ehr):
    flow = Launch(ehr, launch=ehr.launch_create("p-v01"))
    del flow.params["code_challenge"], flow.params["code_challenge_method"]
    answer = flow.callback()
    assert answer["error"] == "invalid_request"
    assert "PKCE" in answer["error_description"]


def test_an_expired_access_token_is_refused(ehr):
    # Long enough that a loaded machine still reads once before it expires.
    ehr.faults_set(access_token_ttl=4)
    token = Launch(ehr, launch=ehr.launch_create("p-v01")).tokens()["access_token"]
    assert fhir_get(ehr, "Condition", token, patient="p-v01").status_code == 200
    time.sleep(5.1)
    assert fhir_get(ehr, "Condition", token, patient="p-v01").status_code == 401


def test_the_confidential_client_authenticates_with_an_es384_key_and_a_standalone_launch(
        ehr, smart_client_key):
    ehr.standalone_patient_set("p-v02")
    flow = Launch(ehr, client_id=KEY_CLIENT_ID, scope=STANDALONE_SCOPES)
    code = flow.callback()["code"]
    now = int(time.time())
    assertion = jwt.encode(
        {"alg": "ES384", "kid": smart_client_key.kid, "typ": "JWT"},
        {"iss": KEY_CLIENT_ID, "sub": KEY_CLIENT_ID, "aud": flow.config["token_endpoint"],
         "jti": str(uuid.uuid4()), "iat": now, "exp": now + 60},
        smart_client_key, algorithms=["ES384"])
    response = flow.token(
        code, client_assertion=assertion,
        client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["patient"] == "p-v02"
    assert jwt.decode(answer["id_token"], auth_keys(ehr)).claims["aud"] == KEY_CLIENT_ID


def test_the_confidential_client_without_its_assertion_is_refused(ehr):
    flow = Launch(ehr, client_id=KEY_CLIENT_ID, launch=ehr.launch_create("p-v01"))
    response = flow.token(flow.callback()["code"])
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"


def test_the_token_faults_change_only_what_they_name(ehr):
    launch = ehr.launch_create("p-v01")
    ehr.faults_set(no_patient=True, access_token_ttl=42)
    answer = Launch(ehr, launch=launch).tokens()
    assert "patient" not in answer
    assert answer["need_patient_banner"] is True
    assert answer["expires_in"] == 42
    access = jwt.decode(answer["access_token"], auth_keys(ehr)).claims
    assert access["exp"] - access["iat"] == 42

    ehr.faults_set(id_token_aud="someone-else")
    id_token = Launch(ehr, launch=launch).tokens()["id_token"]
    claims = jwt.decode(id_token, auth_keys(ehr)).claims
    assert (claims["aud"], claims["fhirUser"]) == ("someone-else", DEFAULT_FHIR_USER)

    ehr.faults_set(id_token_other_key=True)
    answer = Launch(ehr, launch=launch).tokens()
    header = json.loads(base64.urlsafe_b64decode(answer["id_token"].split(".")[0] + "=="))
    assert header["kid"] == auth_keys(ehr).keys[0].kid
    with pytest.raises(BadSignatureError):
        jwt.decode(answer["id_token"], auth_keys(ehr))
    assert answer["patient"] == "p-v01"
