"""Start and steer a test EHR for the SMART App Launch 2.x tests: two real processes.

- Its authorization server, tests/smart/ehr.mjs: npm's oidc-provider run by Node. It issues
  JWT access tokens for the FHIR server, ID tokens with `fhirUser`, and the launch context
  (patient, encounter, need_patient_banner, appContext) in its token response.
- Its FHIR server, tests/smart/fhir_store.py: serves the shared CDS Hooks examples' patients
  to a bearer of such a token, for that token's patient and scopes only, and stores the
  DocumentReferences posted to it.

Both run on 127.0.0.1 at free ports and read a state file at every request, so a test creates
launches, changes a user or sets faults without a restart. Nothing of the protocol is mocked.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from joserfc.jwk import RSAKey

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCRIPT = HERE / "ehr.mjs"
START_SECONDS = 15

PUBLIC_CLIENT_ID = "bonecare-smart-public"
KEY_CLIENT_ID = "bonecare-smart-key"
CALLBACK_PATH = "/smart/callback"
RESOURCE_SCOPES = (
    "patient/Patient.r patient/Condition.rs patient/Observation.rs "
    "patient/AllergyIntolerance.rs patient/MedicationStatement.rs patient/Procedure.rs "
    "patient/DocumentReference.c")
SCOPES = f"launch openid fhirUser {RESOURCE_SCOPES}"
STANDALONE_SCOPES = f"launch/patient openid fhirUser {RESOURCE_SCOPES}"
DEFAULT_USER = "example-oncologist"
DEFAULT_FHIR_USER = "Practitioner/example-oncologist"
DEFAULT_STANDALONE_PATIENT = "p-v01"


def node_missing_reason():
    """Say why the EHR's authorization server cannot start here, or return '' when it can."""
    if shutil.which("node") is None:
        return "the SMART tests need Node.js (node) to run the test EHR's authorization server"
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        return "the SMART tests need npm's oidc-provider: run `npm ci` (make static-deps)"
    return ""


def free_port():
    """A port nobody listens on now (the process started next binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url, *, data=None):
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def _write_json(path, value):
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(value))
    temporary.replace(path)


class TestEhr:
    """One test EHR: its authorization server and FHIR server, their users, launches, faults."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, workdir, *, app_url, client_jwks, auth_port=None, fhir_port=None):
        self.workdir = Path(workdir)
        self.app_url = app_url.rstrip("/")
        self.client_jwks = client_jwks  # the confidential client's public JWK Set
        self.auth_port = auth_port or free_port()
        self.fhir_port = fhir_port or free_port()
        self.keys = [RSAKey.generate_key(2048, private=True, parameters={
            "kid": "ehr-key-1", "use": "sig", "alg": "RS256"})]
        self.auth_process = None
        self.fhir_process = None
        self.log = self.workdir / "ehr.log"
        self._log_files = []
        self._epoch = 0
        self.reset()

    # --- addresses ----------------------------------------------------------------------
    @property
    def fhir_base(self):
        """The FHIR server's base URL: the SMART `iss`, and the access tokens' audience."""
        return f"http://127.0.0.1:{self.fhir_port}/fhir"

    @property
    def auth_issuer(self):
        """The authorization server's issuer (its ID tokens' `iss`)."""
        return f"http://127.0.0.1:{self.auth_port}"

    @property
    def redirect_uri(self):
        return f"{self.app_url}{CALLBACK_PATH}"

    # --- steering: authorization server -------------------------------------------------
    def reset(self):
        """Back to one user (the oncologist), no launches, no faults, no documents."""
        self.users = {DEFAULT_USER: {"fhirUser": DEFAULT_FHIR_USER}}
        self.launches = {}
        self.standalone_patient = DEFAULT_STANDALONE_PATIENT
        self.faults = {}
        self._state_write()
        self.fhir_faults = {}
        self._fhir_state_write()
        if self.fhir_process is not None:
            self._test_call("/__test/reset", data=b"")

    def launch_create(self, patient, *, encounter=None, need_patient_banner=True,
                      app_context=None):
        """An EHR launch in the patient's chart: return its `launch` id, random."""
        launch = secrets.token_urlsafe(12)
        context = {"patient": patient, "need_patient_banner": need_patient_banner}
        if encounter is not None:
            context["encounter"] = encounter
        if app_context is not None:
            context["appContext"] = app_context
        self.launches[launch] = context
        self._state_write()
        return launch

    def standalone_patient_set(self, patient):
        """The patient "picked" in a standalone launch (scope launch/patient, no launch)."""
        self.standalone_patient = patient
        self._state_write()

    def user_set(self, subject, **claims):
        """Create or change a user (login `subject`), e.g. fhirUser="Practitioner/x"."""
        self.users[subject] = claims
        self._state_write()

    def faults_set(self, **faults):
        """Set the authorization server's faults (none left of the previous ones).

        no_patient=True, id_token_aud="...", id_token_other_key=True, access_token_ttl=N,
        scopes_granted=[...], expires_in=N (the token response says so, whatever the token's
        own lifetime): see tests/smart/ehr.mjs.
        """
        self.faults = faults
        self._state_write()

    def counts(self):
        """How often /auth, /token and /jwks were asked since the start."""
        return _get_json(f"{self.auth_issuer}/__test/counts")

    # --- steering: FHIR server ----------------------------------------------------------
    def fhir_faults_set(self, **faults):
        """Set the FHIR server's faults (none left of the previous ones).

        unauthorized_after=N (401 after N more successful reads), redirect_to=URL (302 to
        URL + path for every resource request), document_status=500 (the POST of a
        DocumentReference fails so): see tests/smart/fhir_store.py.
        """
        self.fhir_faults = faults
        self._epoch += 1
        self._fhir_state_write()

    def documents(self):
        """The DocumentReferences stored since the last reset, oldest first."""
        return self._test_call("/__test/documents")

    def seen(self):
        """The FHIR server's request paths (with query) since the last reset, in order."""
        return self._test_call("/__test/seen")

    def _test_call(self, path, *, data=None):
        return _get_json(f"http://127.0.0.1:{self.fhir_port}{path}", data=data)

    # --- process ------------------------------------------------------------------------
    def start(self):
        """Start the authorization server, then the FHIR server that reads its discovery."""
        config = self.workdir / "config.json"
        _write_json(config, {
            "port": self.auth_port, "fhir_base": self.fhir_base,
            "keys": [key.as_dict(private=True) for key in self.keys],
            "clients": self._clients(),
        })
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NODE_ENV": "test",
               "SMART_EHR_CONFIG": str(config),
               "SMART_EHR_STATE": str(self.workdir / "state.json")}
        self.auth_process = subprocess.Popen(
            [shutil.which("node"), str(SCRIPT)], cwd=ROOT, env=env, stdout=self._log_file(),
            stderr=subprocess.STDOUT)
        self._wait_ready(self.auth_process, f"{self.auth_issuer}/.well-known/openid-configuration")

        fhir_config = self.workdir / "fhir_config.json"
        _write_json(fhir_config, {
            "port": self.fhir_port, "auth_issuer": self.auth_issuer,
            "examples": str(ROOT / "options" / "cds_hooks" / "examples"),
            "state": str(self.workdir / "fhir_state.json"),
        })
        self.fhir_process = subprocess.Popen(
            [sys.executable, "-m", "tests.smart.fhir_store", str(fhir_config)], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=self._log_file())
        self._wait_ready(self.fhir_process, f"{self.fhir_base}/.well-known/smart-configuration")

    def stop(self):
        for process in (self.fhir_process, self.auth_process):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        self.fhir_process = self.auth_process = None
        while self._log_files:
            self._log_files.pop().close()

    def _log_file(self):
        self._log_files.append(self.log.open("a"))
        return self._log_files[-1]

    def _wait_ready(self, process, url):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the test EHR stopped: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the test EHR did not start: {self.log.read_text()[-2000:]}")

    def _state_write(self):
        _write_json(self.workdir / "state.json", {
            "users": self.users, "launches": self.launches,
            "standalone_patient": self.standalone_patient, "faults": self.faults})

    def _fhir_state_write(self):
        _write_json(self.workdir / "fhir_state.json",
                    {"faults": self.fhir_faults, "epoch": self._epoch})

    def _clients(self):
        common = {
            # With and without the final slash, whichever BoneCare's URL pattern ends up with.
            "redirect_uris": [self.redirect_uri, f"{self.redirect_uri}/"],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }
        return [
            {**common, "client_id": PUBLIC_CLIENT_ID, "token_endpoint_auth_method": "none"},
            {**common, "client_id": KEY_CLIENT_ID, "token_endpoint_auth_method": "private_key_jwt",
             "token_endpoint_auth_signing_alg": "ES384", "jwks": self.client_jwks},
        ]
