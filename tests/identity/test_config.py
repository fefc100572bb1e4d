"""Hospital sign-in is configured from the environment, strictly, and is off unless configured."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from options.identity import config as identity_config
from options.identity import roles
from options.identity.config import provider_from_environment


def read_bool(name, default, environ):
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    if raw not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}.")
    return raw == "true"


def configure(**variables):
    environ = {f"BONECARE_OIDC_{name}": value for name, value in variables.items()}
    return provider_from_environment(environ, lambda name, default: read_bool(
        name, default, environ))


ENTRA = {"ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0",
         "CLIENT_ID": "app-id", "CLIENT_SECRET": "s3cret", "ROLE_CLINICIAN": "BoneCare.Clinician"}


def test_nothing_set_means_local_sign_in_only():
    assert configure() is None


def test_an_entra_id_configuration_reads_every_variable():
    provider = configure(**ENTRA, ROLE_EDITOR="BoneCare.Editor, BoneCare.Lead",
                         SCOPES="openid profile email", CLOCK_SKEW_SECONDS="30",
                         DISPLAY_NAME="Trust account")
    assert provider.discovery_url == (
        "https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration")
    assert provider.role_values == {"clinician": {"BoneCare.Clinician"},
                                    "editor": {"BoneCare.Editor", "BoneCare.Lead"}}
    assert (provider.roles_claim, provider.clock_skew_seconds) == ("roles", 30)
    assert (provider.max_age_seconds, provider.acr_values) == (None, ())
    assert provider.client_auth_method == "client_secret_basic"
    assert provider.origin == "https://login.microsoftonline.com"


def rsa_pem(tmp_path, name="client.pem"):
    from joserfc.jwk import RSAKey

    path = tmp_path / name
    path.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=True))
    return path


def certificate_for(key_path, tmp_path):
    """A self-signed certificate for the key, as a trust would upload to Entra ID."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "BoneCare")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
                   .sign(key, hashes.SHA256()))
    path = tmp_path / "client.crt"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path, certificate


def test_a_certificate_names_the_key_by_its_thumbprints_for_entra_id(tmp_path):
    import base64

    from cryptography.hazmat.primitives import hashes

    from options.identity.client import oidc_client

    key_path = rsa_pem(tmp_path)
    cert_path, certificate = certificate_for(key_path, tmp_path)
    provider = configure(**{**ENTRA, "CLIENT_SECRET": ""}, PRIVATE_KEY_FILE=str(key_path),
                         CERTIFICATE_FILE=str(cert_path))
    expected = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA1())).rstrip(b"=")
    assert provider.assertion_headers["x5t"] == expected.decode()
    assert set(provider.assertion_headers) == {"x5t", "x5t#S256"}
    [assertion] = oidc_client(provider).client_auth_methods
    assert assertion.headers["x5t"] == expected.decode()


def test_a_certificate_for_another_key_stops_start_up(tmp_path):
    cert_path, _ = certificate_for(rsa_pem(tmp_path, "other.pem"), tmp_path)
    with pytest.raises(ImproperlyConfigured,
                       match="BONECARE_OIDC_CERTIFICATE_FILE is for another key"):
        configure(**{**ENTRA, "CLIENT_SECRET": ""}, PRIVATE_KEY_FILE=str(rsa_pem(tmp_path)),
                  CERTIFICATE_FILE=str(cert_path))


@pytest.mark.parametrize(("text", "named"), [
    ("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
     "BONECARE_OIDC_PRIVATE_KEY_FILE holds no readable unencrypted PEM private key"),
    (None, "BONECARE_OIDC_PRIVATE_KEY_FILE holds a key that is not RSA"),
], ids=["garbage", "elliptic-curve"])
def test_a_key_file_that_cannot_sign_stops_start_up(tmp_path, text, named):
    from joserfc.jwk import ECKey

    path = tmp_path / "key.pem"
    if text is None:
        path.write_bytes(ECKey.generate_key("P-256", private=True).as_pem(private=True))
    else:
        path.write_text(text)
    with pytest.raises(ImproperlyConfigured, match=named):
        configure(**{**ENTRA, "CLIENT_SECRET": ""}, PRIVATE_KEY_FILE=str(path))


def test_fresh_and_strong_authentication_can_be_asked_for():
    provider = configure(**ENTRA, MAX_AGE_SECONDS="0", ACR_VALUES="AAL3_ANY AAL3")
    assert (provider.max_age_seconds, provider.acr_values) == (0, ("AAL3_ANY", "AAL3"))


def test_a_private_key_file_selects_private_key_jwt(tmp_path):
    from joserfc.jwk import RSAKey

    key_file = tmp_path / "client.pem"
    key_file.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=True))
    provider = configure(**{**ENTRA, "CLIENT_SECRET": ""}, PRIVATE_KEY_FILE=str(key_file),
                         PRIVATE_KEY_ID="kid-1")
    assert provider.client_auth_method == "private_key_jwt"
    assert provider.private_key_id == "kid-1"


@pytest.mark.parametrize(("variables", "named"), [
    ({**ENTRA, "CLIENT_ID": ""}, "BONECARE_OIDC_CLIENT_ID must be set"),
    ({**ENTRA, "CLIENT_SECRET": ""}, "exactly one of BONECARE_OIDC_CLIENT_SECRET"),
    ({**ENTRA, "PRIVATE_KEY_FILE": "/nonexistent/key.pem"}, "exactly one of"),
    ({**ENTRA, "CLIENT_SECRET": "", "PRIVATE_KEY_FILE": "/nonexistent/key.pem"},
     "BONECARE_OIDC_PRIVATE_KEY_FILE cannot be read"),
    ({**ENTRA, "ISSUER": "http://idp.example.org"}, "BONECARE_OIDC_ISSUER must be an https://"),
    ({**ENTRA, "ISSUER": "http://localhost.example.org"}, "BONECARE_OIDC_ISSUER"),
    ({**ENTRA, "SCOPES": "profile email"}, "BONECARE_OIDC_SCOPES must include 'openid'"),
    ({**ENTRA, "ROLE_CLINICIAN": ""}, "No claim value grants a BoneCare role"),
    ({**ENTRA, "ROLE_SURGEON": "x"}, "BONECARE_OIDC_ROLE_SURGEON names no BoneCare role"),
    ({**ENTRA, "CLIENTID": "x"}, "BONECARE_OIDC_CLIENTID is not a setting"),
    ({**ENTRA, "CLOCK_SKEW_SECONDS": "3600"}, "BONECARE_OIDC_CLOCK_SKEW_SECONDS must be"),
    ({**ENTRA, "CLOCK_SKEW_SECONDS": "-5"}, "BONECARE_OIDC_CLOCK_SKEW_SECONDS must be"),
    ({**ENTRA, "USERINFO": "yes"}, "BONECARE_OIDC_USERINFO must be 'true' or 'false'"),
    ({**ENTRA, "MAX_AGE_SECONDS": "86400"}, "BONECARE_OIDC_MAX_AGE_SECONDS must be"),
], ids=["no-client-id", "no-credential", "two-credentials", "unreadable-key", "plain-http",
        "lookalike-localhost", "no-openid-scope", "no-role-mapped", "unknown-role",
        "misspelt-variable", "skew-too-long", "skew-negative", "userinfo-not-boolean",
        "max-age-beyond-the-session-limit"])
def test_a_mistake_stops_start_up_naming_the_variable(variables, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        configure(**variables)


@pytest.mark.parametrize("key", list(roles.ROLES))
def test_every_role_in_the_roles_module_has_its_variable(key):
    provider = configure(**{**ENTRA, f"ROLE_{key.upper()}": f"BoneCare.{key}"})
    assert provider.role_values[key] == {f"BoneCare.{key}"}


def test_a_role_added_to_the_roles_module_is_mapped_with_no_change_here(monkeypatch):
    pharmacist = roles.Role(key="pharmacist", group="Pharmacist", permissions=(),
                            is_staff=False)
    monkeypatch.setattr(identity_config, "ROLES", {**roles.ROLES, pharmacist.key: pharmacist})
    provider = configure(**ENTRA, ROLE_PHARMACIST="BoneCare.Pharmacy")
    assert provider.role_values["pharmacist"] == {"BoneCare.Pharmacy"}


def test_a_misspelt_variable_stops_start_up_with_its_message_alone():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_DEBUG": "true", "BONECARE_OIDC_ISSUER": "https://idp.example",
           "BONECARE_OIDC_CLIENTID": "x"}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if "axes" not in line]
    assert lines == ["BoneCare cannot start: BONECARE_OIDC_CLIENTID is not a setting BoneCare "
                     "knows."]


def test_the_documented_example_environments_load_in_a_shell(tmp_path):
    """`set -a; . /etc/bonecare.env` must not break on the documentation's own example values.

    The examples are the Entra ID and CIS2 environments of docs/sign-in.md.
    """
    import re
    import subprocess
    from pathlib import Path

    sign_in = (Path(__file__).resolve().parents[2] / "docs" / "sign-in.md").read_text()
    lines = re.findall(r"^BONECARE_[A-Z0-9_]+=.*$", sign_in, re.M)
    assert len(lines) >= 10
    env_file = tmp_path / "bonecare.env"
    env_file.write_text("\n".join(lines) + "\n")
    done = subprocess.run(["bash", "-c", f"set -a; . {env_file}; set +a; "
                           "printf %s \"$BONECARE_OIDC_DISPLAY_NAME\""],
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stderr) == (0, "")
    assert " " in done.stdout  # a value with a space arrived whole
