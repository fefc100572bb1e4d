"""The FHIR server of the test EHR (tests/smart/ehr.py), run as its own process.

Its base URL, http://127.0.0.1:PORT/fhir, is the SMART `iss`. It stands for an EHR's FHIR
API as a SMART app meets it:

- GET /fhir/.well-known/smart-configuration (no token): the authorization server's
  endpoints, from that server's own discovery document, and this EHR's SMART capabilities;
- every other /fhir request needs `Authorization: Bearer <JWT access token>` from the
  authorization server: signature (its JWKS), `exp` and `aud` == the FHIR base are checked,
  else 401 with an OperationOutcome;
- the token's `patient` claim is the only patient it may see (403 for another), and each
  interaction needs its SMART scope (v2 `patient/Condition.rs`, or v1 `.read`/`.write`), else
  403;
- reads and searches answer the shared CDS Hooks examples' prefetch (Patient, Condition,
  Observation, AllergyIntolerance, MedicationStatement, Procedure) of the example whose
  `context.patientId` is the patient; search filters other than the patient are ignored;
- POST /fhir/DocumentReference is checked minimally, given an id and kept in memory (201).

Faults, from a state file read at each request ({"faults": {...}, "epoch": n}):
  unauthorized_after: N   after N successful reads (counted from when the faults were set,
                          i.e. since the epoch changed), every request is answered 401
  redirect_to: URL        every resource request is answered 302 to URL + its path
  document_status: 500    the POST of a DocumentReference fails with that status

Loopback test endpoints (no /fhir prefix): GET /__test/seen (paths asked, with query),
GET /__test/documents, POST /__test/reset (forget both and the read count).

python -m tests.smart.fhir_store CONFIG.json   (prints its port, then serves)
CONFIG: {"port", "auth_issuer", "examples" (a folder of examples), "state" (a file)}
"""

import json
import re
import sys
import threading
import urllib.request
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

PREFETCH_KEYS = {"Patient": "patient", "Condition": "conditions",
                 "Observation": "observations", "AllergyIntolerance": "allergies",
                 "MedicationStatement": "medications", "Procedure": "procedures"}
CAPABILITIES = [
    "launch-ehr", "launch-standalone", "client-public", "client-confidential-asymmetric",
    "context-ehr-patient", "context-standalone-patient", "sso-openid-connect",
    "permission-v2", "permission-v1", "permission-patient", "context-banner",
]
SCOPES_SUPPORTED = [
    "openid", "fhirUser", "launch", "launch/patient",
    "patient/Patient.r", "patient/Condition.rs", "patient/Observation.rs",
    "patient/AllergyIntolerance.rs", "patient/MedicationStatement.rs",
    "patient/Procedure.rs", "patient/DocumentReference.c",
]
V1_PERMISSIONS = {"read": "rs", "write": "cud", "*": "cruds"}


def outcome(code, text):
    """A one-issue OperationOutcome."""
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text}]}


def granted(scopes, kind, permission):
    """Whether a patient-level SMART scope in `scopes` allows `permission` (c/r/u/d/s) on
    `kind`: v2 `patient/Condition.rs`, `patient/*.r`, or v1 `patient/Condition.read`."""
    for scope in scopes:
        match = re.fullmatch(r"patient/([A-Za-z]+|\*)\.([a-z*]+)(\?.*)?", scope)
        if not match or match[1] not in (kind, "*"):
            continue
        letters = V1_PERMISSIONS.get(match[2], match[2])
        if permission in letters:
            return True
    return False


def examples_by_patient(folder):
    """Each shared example's prefetch, keyed by its patient's id."""
    found = {}
    for path in sorted(Path(folder).glob("*.json")):
        request = json.loads(path.read_text(encoding="utf-8"))["request"]
        found[request["context"]["patientId"]] = request["prefetch"]
    return found


def searchset(entries):
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries),
            "entry": entries}


def document_problem(resource, patient):
    """What is wrong with a posted DocumentReference, or '' when it is acceptable."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "DocumentReference":
        return "resourceType must be DocumentReference"
    if (resource.get("subject") or {}).get("reference") != f"Patient/{patient}":
        return f"subject.reference must be Patient/{patient}, the patient of the token"
    content = resource.get("content")
    attachment = content[0].get("attachment") if isinstance(content, list) and content else None
    if not isinstance(attachment, dict) or not attachment.get("contentType"):
        return "content[0].attachment needs a contentType"
    if not (attachment.get("data") or attachment.get("url")):
        return "content[0].attachment needs data or url"
    return ""


class Store:
    """What the server holds: the config, its discovery, the documents and the request log."""

    def __init__(self, config, port):
        self.base = f"http://127.0.0.1:{port}/fhir"
        self.state_path = Path(config["state"])
        self.examples = examples_by_patient(config["examples"])
        issuer = config["auth_issuer"]
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration",
                                    timeout=5) as response:
            self.discovery = json.load(response)
        with urllib.request.urlopen(self.discovery["jwks_uri"], timeout=5) as response:
            self.jwks = KeySet.import_key_set(json.load(response))
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.documents = []
            self.seen = []
            self.reads = 0
            self.epoch = None

    def faults(self):
        """The faults now, and whether the read count has run out under unauthorized_after."""
        try:
            current = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            current = {}
        with self.lock:
            if current.get("epoch") != self.epoch:
                self.epoch, self.reads = current.get("epoch"), 0
        return current.get("faults") or {}

    def smart_configuration(self):
        discovery = self.discovery
        return {
            "issuer": discovery["issuer"],
            "jwks_uri": discovery["jwks_uri"],
            "authorization_endpoint": discovery["authorization_endpoint"],
            "token_endpoint": discovery["token_endpoint"],
            "userinfo_endpoint": discovery.get("userinfo_endpoint"),
            "grant_types_supported": ["authorization_code"],
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "none"],
            "token_endpoint_auth_signing_alg_values_supported": ["ES384", "RS384"],
            "scopes_supported": SCOPES_SUPPORTED,
            "capabilities": CAPABILITIES,
        }

    def token_claims(self, authorization):
        """The claims of a valid bearer token, or None."""
        kind, _, value = (authorization or "").partition(" ")
        if kind.lower() != "bearer" or not value:
            return None
        try:
            token = jwt.decode(value.strip(), self.jwks)
            jwt.JWTClaimsRegistry(exp={"essential": True},
                                  aud={"essential": True, "value": self.base}).validate(
                token.claims)
        except (JoseError, ValueError):
            return None
        return token.claims


class Handler(BaseHTTPRequestHandler):
    """One request to the FHIR server."""

    store: Store  # set on the class by main()

    def do_GET(self):  # noqa: N802 - the name http.server calls
        url = urlsplit(self.path)
        if url.path.startswith("/__test/"):
            return self._test_get(url.path)
        if url.path == "/fhir/.well-known/smart-configuration":
            return self._send(200, self.store.smart_configuration(), "application/json")
        claims = self._authorized()
        if claims is None:
            return None
        parts = url.path.removeprefix("/fhir/").split("/")
        query = parse_qs(url.query)
        if len(parts) == 2 and parts[0] in PREFETCH_KEYS | {"DocumentReference": ""}:
            return self._read(claims, parts[0], parts[1])
        if len(parts) == 1 and parts[0] in PREFETCH_KEYS | {"DocumentReference": ""}:
            return self._search(claims, parts[0], query)
        return self._send(404, outcome("not-found", f"no such endpoint: {url.path}"))

    def do_POST(self):  # noqa: N802 - the name http.server calls
        url = urlsplit(self.path)
        if url.path == "/__test/reset":
            self.store.reset()
            return self._send(200, {}, "application/json")
        claims = self._authorized()
        if claims is None:
            return None
        if url.path != "/fhir/DocumentReference":
            return self._send(404, outcome("not-found", f"no such endpoint: {url.path}"))
        return self._create_document(claims)

    # --- the interactions -------------------------------------------------------------
    def _read(self, claims, kind, ident):
        if not self._allowed(claims, kind, "r"):
            return None
        patient = claims.get("patient")
        if kind == "Patient":
            resource = self.store.examples.get(ident, {}).get("patient")
            if ident != patient:
                return self._send(403, outcome("forbidden", "not the patient of the token"))
        elif kind == "DocumentReference":
            resource = next((document for document in self.store.documents
                             if document["id"] == ident), None)
            if resource and resource["subject"]["reference"] != f"Patient/{patient}":
                return self._send(403, outcome("forbidden", "not the patient of the token"))
        else:
            return self._send(404, outcome("not-supported", "read it by a search"))
        if resource is None:
            return self._send(404, outcome("not-found", f"no {kind}/{ident}"))
        return self._answer_read(resource)

    def _search(self, claims, kind, query):
        if not self._allowed(claims, kind, "s"):
            return None
        asked = (query.get("patient") or query.get("subject") or [""])[0]
        asked = asked.removeprefix("Patient/")
        if kind == "Patient":
            asked = (query.get("_id") or [""])[0]
        if not asked or asked != claims.get("patient"):
            return self._send(403, outcome("forbidden",
                                           "search for the patient of the token only"))
        if kind == "DocumentReference":
            mine = [document for document in self.store.documents
                    if document["subject"]["reference"] == f"Patient/{asked}"]
            return self._answer_read(searchset([{"resource": document} for document in mine]))
        prefetch = self.store.examples.get(asked)
        if prefetch is None:
            return self._answer_read(searchset([]))
        if kind == "Patient":
            return self._answer_read(searchset([{"resource": prefetch["patient"]}]))
        return self._answer_read(prefetch[PREFETCH_KEYS[kind]])

    def _create_document(self, claims):
        if not self._allowed(claims, "DocumentReference", "c"):
            return None
        status = self.faults.get("document_status")
        if status:
            return self._send(int(status), outcome("exception", "the test EHR failed (fault)"))
        try:
            length = int(self.headers.get("Content-Length") or 0)
            resource = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return self._send(400, outcome("structure", "the body is not JSON"))
        problem = document_problem(resource, claims.get("patient"))
        if problem:
            return self._send(422, outcome("invalid", problem))
        stored = {**resource, "id": uuid.uuid4().hex, "meta": {
            "versionId": "1", "lastUpdated": datetime.now(UTC).isoformat(timespec="seconds")}}
        with self.store.lock:
            self.store.documents.append(stored)
        location = f"{self.store.base}/DocumentReference/{stored['id']}/_history/1"
        return self._send(201, stored, location=location)

    # --- checks -----------------------------------------------------------------------
    def _authorized(self):
        """The token's claims, or None once a refusal or a redirect has been sent."""
        with self.store.lock:
            self.store.seen.append(self.path)
        self.faults = self.store.faults()
        if self.faults.get("redirect_to"):
            return self._send(302, {}, location=self.faults["redirect_to"].rstrip("/")
                              + self.path)
        claims = self.store.token_claims(self.headers.get("Authorization"))
        limit = self.faults.get("unauthorized_after")
        if claims is None or (limit is not None and self.store.reads >= limit):
            return self._send(401, outcome("login", "no valid access token"),
                              authenticate='Bearer error="invalid_token"')
        return claims

    def _allowed(self, claims, kind, permission):
        if granted(str(claims.get("scope", "")).split(), kind, permission):
            return True
        self._send(403, outcome("forbidden", f"no scope allows {permission} on {kind}"),
                   authenticate='Bearer error="insufficient_scope"')
        return False

    # --- answers ----------------------------------------------------------------------
    def _answer_read(self, body):
        with self.store.lock:
            self.store.reads += 1
        return self._send(200, body)

    def _test_get(self, path):
        if path == "/__test/seen":
            return self._send(200, self.store.seen, "application/json")
        if path == "/__test/documents":
            return self._send(200, self.store.documents, "application/json")
        return self._send(404, {}, "application/json")

    def _send(self, status, body, content_type="application/fhir+json", *, location="",
              authenticate=""):
        data = json.dumps(body).encode()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        if authenticate:
            self.send_header("WWW-Authenticate", authenticate)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return None

    def log_message(self, *args):
        pass


def main():
    config = json.loads(Path(sys.argv[1]).read_text())
    server = ThreadingHTTPServer(("127.0.0.1", config.get("port", 0)), Handler)
    Handler.store = Store(config, server.server_address[1])
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
