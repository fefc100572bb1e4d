"""The documented production environment passes Django's deployment checks and serves HTTPS only.

The environment here is the one docs/operations.md ("Production") gives, with a fresh random
secret.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "bonecare.example.nhs.uk"


def production_environment(**extra):
    """docs/operations.md: the variables a hospital sets, behind one TLS-terminating proxy."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "BONECARE_")) and k != "DATABASE_URL"}
    env.update({
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "DJANGO_PROXY_SETS_X_FORWARDED_PROTO": "true",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
    }, **extra)
    return env


def minimal_environment():
    """The least a server needs: DEBUG off, a secret, its host name; nothing about a proxy."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "BONECARE_")) and k != "DATABASE_URL"}
    return {**env, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "example.org"}


@pytest.mark.parametrize("environment", [production_environment, minimal_environment],
                         ids=["behind-a-proxy", "minimal"])
def test_the_deployment_checks_pass_without_a_warning(environment):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert not re.search(r"\(\w+\.W\d+\)", result.stdout + result.stderr)


def test_the_gunicorn_config_logs_no_query_string_or_referrer():
    config = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 (our own file)
    assert "%(U)s" in config["access_log_format"]
    for atom in ["%(r)s", "%(q)s", "%(f)s"]:
        assert atom not in config["access_log_format"]
    assert config["bind"] == ["127.0.0.1:8000"]
    assert 2 <= config["workers"] <= 12
    assert config["errorlog"] == "-"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, **headers):
    """GET a URL without following redirects; return (status, headers, body)."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as reply:
            return reply.status, reply.headers, reply.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


def wait_until_up(url, deadline):
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn -c gunicorn.conf.py after collectstatic, as docs/operations.md says."""
    tmp = tmp_path_factory.mktemp("production")
    port = free_port()
    env = production_environment(DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
                                 DJANGO_STATIC_ROOT=str(tmp / "static"),
                                 BONECARE_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
    for command in (["collectstatic", "--noinput", "-v0"], ["migrate", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)
    log = tmp / "access.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "bonecare.wsgi"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 30)
        yield f"http://127.0.0.1:{port}", log
    finally:
        server.terminate()
        server.wait(timeout=40)


HTTPS = {"X-Forwarded-Proto": "https", "Host": HOST}


def test_plain_http_is_redirected_to_https_except_the_probes(production_server):
    base, _ = production_server
    status, headers, _ = fetch(f"{base}/accounts/login/", Host=HOST)
    assert status == 301
    assert headers["Location"] == f"https://{HOST}/accounts/login/"
    assert fetch(f"{base}/healthz")[0] == 200


def test_a_page_through_the_proxy_is_https_only_with_secure_cookies(production_server):
    base, _ = production_server
    status, headers, html = fetch(f"{base}/accounts/login/", **HTTPS)
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "no-store" in headers["Cache-Control"]
    cookies = headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)


def test_static_files_are_served_hashed_compressed_and_cached_for_ever(production_server):
    base, _ = production_server
    _, _, html = fetch(f"{base}/accounts/login/", **HTTPS)
    stylesheets = re.findall(r'href="(/static/build/nhsuk\.[0-9a-f]{12}\.css)"', html)
    assert stylesheets, "the page does not link the hashed stylesheet"
    status, headers, css = fetch(f"{base}{stylesheets[0]}", **HTTPS, **{
        "Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    # The icons the stylesheet names were collected under hashed names too.
    icon = re.search(r"/static/nhsuk/assets/images/nhsuk-icon-cross\.[0-9a-f]{12}\.svg",
                     fetch(f"{base}{stylesheets[0]}", **HTTPS)[2])
    assert icon and fetch(f"{base}{icon[0]}", **HTTPS)[0] == 200
    for script in re.findall(r'src="(/static/[^"]+)"', html):
        assert fetch(f"{base}{script}", **HTTPS)[0] == 200, script


def test_the_access_log_holds_the_path_but_not_the_query(production_server):
    base, log = production_server
    fetch(f"{base}/api/v1/consultations?patient_ref=RXQ-SECRET-123", **HTTPS)
    time.sleep(0.5)
    lines = log.read_text()
    assert "/api/v1/consultations" in lines
    assert "RXQ-SECRET-123" not in lines


def test_a_missing_page_is_the_styled_404_with_its_collected_stylesheet(production_server):
    base, _ = production_server
    status, headers, html = fetch(f"{base}/consultations/no-such-page/?patient_ref=MRN-1",
                                  **HTTPS)
    assert status == 404
    assert "<h1>Page not found</h1>" in html and 'href="/accounts/login/"' in html
    assert "no-such-page" not in html and "MRN-1" not in html
    stylesheet = re.search(r'href="(/static/build/nhsuk\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet and fetch(f"{base}{stylesheet[1]}", **HTTPS)[0] == 200
    assert "no-store" in headers["Cache-Control"]
