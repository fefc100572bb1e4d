"""Start and steer the real OpenID Connect provider (tests/identity/provider.mjs) for a test run.

The provider is npm's oidc-provider, run by Node on 127.0.0.1 at a free port. Its users and
faults live in a JSON file it reads at every request; its signing keys are fixed per
process, so a key rotation restarts it with a new key first and the old one after.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from joserfc.jwk import RSAKey

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCRIPT = HERE / "provider.mjs"
CLIENT_ID = "bonecare-test"
CLIENT_SECRET = "a-test-client-secret-that-is-long-enough-000"
KEY_CLIENT_ID = "bonecare-test-private-key"
START_SECONDS = 15


def node_missing_reason():
    """Say why the provider cannot start here, or return '' when it can."""
    if shutil.which("node") is None:
        return "the sign-in tests need Node.js (node) to run the OpenID Connect provider"
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        return "the sign-in tests need npm's oidc-provider: run `npm ci` (make static-deps)"
    return ""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signing_key(kid):
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"},
                               private=True)


class TestProvider:
    """One provider process: its issuer, clients, users and faults."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, workdir, *, rp_url, client_key):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.rp_url = rp_url.rstrip("/")
        self.client_key = client_key  # the private-key JWT client's key (its public half here)
        self.keys = [signing_key("key-1")]
        self.users = {}
        self.faults = {}
        self.process = None
        self.log = self.workdir / "provider.log"

    # --- steering ---------------------------------------------------------------------
    def user_set(self, subject, **claims):
        """Create or change a user; the provider reads it at the next request."""
        self.users[subject] = claims
        self._state_write()

    def faults_set(self, **faults):
        """Make the token endpoint hand out a wrong ID token (aud=..., exp_offset=-seconds)."""
        self.faults = faults
        self._state_write()

    def rotate_keys(self):
        """Sign with a new key (new kid) from now on; the old one is still published."""
        self.keys = [signing_key(f"key-{len(self.keys) + 1}"), *self.keys]
        self.stop()
        self.start()

    def counts(self):
        """How often the JWKS and the token endpoint have been asked, since this start."""
        with urllib.request.urlopen(f"{self.issuer}/__test/counts", timeout=5) as response:
            return json.load(response)

    # --- process ----------------------------------------------------------------------
    def start(self):
        config = self.workdir / "config.json"
        config.write_text(json.dumps({
            "port": self.port,
            "keys": [key.as_dict(private=True) for key in self.keys],
            "clients": self._clients(),
        }))
        self._state_write()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NODE_ENV": "test",
               "OIDC_TEST_CONFIG": str(config),
               "OIDC_TEST_STATE": str(self.workdir / "state.json")}
        self.process = subprocess.Popen(
            [shutil.which("node"), str(SCRIPT)], cwd=ROOT, env=env, stdout=self.log.open("a"),
            stderr=subprocess.STDOUT)
        self._wait_ready()

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _wait_ready(self):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the test provider stopped: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(
                        f"{self.issuer}/.well-known/openid-configuration", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the test provider did not start: {self.log.read_text()[-2000:]}")

    def _state_write(self):
        path = self.workdir / "state.json"
        path.with_suffix(".tmp").write_text(json.dumps({"users": self.users,
                                                        "faults": self.faults}))
        path.with_suffix(".tmp").replace(path)

    def _clients(self):
        common = {
            "redirect_uris": [f"{self.rp_url}/accounts/oidc/callback/"],
            "post_logout_redirect_uris": [f"{self.rp_url}/accounts/signed-out/"],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }
        public = self.client_key.as_dict(private=False)
        return [
            {**common, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
             "token_endpoint_auth_method": "client_secret_basic"},
            {**common, "client_id": KEY_CLIENT_ID, "token_endpoint_auth_method": "private_key_jwt",
             "token_endpoint_auth_signing_alg": "RS256", "jwks": {"keys": [public]}},
        ]
