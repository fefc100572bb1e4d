"""The settings module refuses a missing or malformed environment, and defaults to secure."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import json
from django.conf import settings
names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
         "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
         "CSRF_TRUSTED_ORIGINS", "AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_COUNT",
         "SESSION_EXPIRE_AT_BROWSER_CLOSE", "MESSAGE_STORAGE", "DATABASES", "STORAGES"]
print(json.dumps({name: getattr(settings, name, None) for name in names}, default=str))
"""
PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50}


def run_settings(**env):
    """Load the settings in a fresh interpreter with only the given DJANGO_* variables."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    clean.update(env, DJANGO_SETTINGS_MODULE="bonecare.settings")
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(**env):
    result = run_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_without_secret_key_refuses_to_start_naming_the_variable():
    result = run_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("name", ["DJANGO_DEBUG", "DJANGO_PLAIN_HTTP",
                                  "DJANGO_PROXY_SETS_X_FORWARDED_PROTO"])
@pytest.mark.parametrize("value", ["yes", "True", "1", "on"])
def test_flags_accept_only_true_or_false(name, value):
    result = run_settings(**{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_production_defaults_to_https_only():
    s = load_settings(**PRODUCTION)
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    # No header is trusted until the environment says a proxy sets it.
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["REMOTE_ADDR"]
    assert s["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage")


def test_plain_http_flag_allows_a_local_run_without_debug():
    s = load_settings(**PRODUCTION, DJANGO_PLAIN_HTTP="true")
    assert [s["SESSION_COOKIE_SECURE"], s["CSRF_COOKIE_SECURE"], s["SECURE_SSL_REDIRECT"],
            s["SECURE_HSTS_SECONDS"]] == [False, False, False, 0]


def test_debug_runs_without_secret_key_over_plain_http():
    s = load_settings(DJANGO_DEBUG="true")
    assert s["DEBUG"] is True
    assert [s["SESSION_COOKIE_SECURE"], s["SECURE_SSL_REDIRECT"], s["SECURE_HSTS_SECONDS"]] == [
        False, False, 0]
    assert s["STORAGES"]["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage")


def test_proxy_settings_come_from_the_environment():
    s = load_settings(**PRODUCTION, DJANGO_PROXY_SETS_X_FORWARDED_PROTO="true",
                      DJANGO_TRUSTED_PROXY_COUNT="2", DJANGO_HSTS_SECONDS="300",
                      DJANGO_CSRF_TRUSTED_ORIGINS="https://bonecare.example.nhs.uk, "
                                                  "https://cds.example.nhs.uk")
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    assert s["AXES_IPWARE_PROXY_COUNT"] == 1  # the header names all but the nearest proxy
    assert s["SECURE_HSTS_SECONDS"] == 300
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://bonecare.example.nhs.uk",
                                         "https://cds.example.nhs.uk"]


def test_the_session_cookie_ends_with_the_browser_and_messages_stay_on_the_server():
    s = load_settings(**PRODUCTION)
    assert s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert s["MESSAGE_STORAGE"] == "django.contrib.messages.storage.session.SessionStorage"


def test_sqlite_waits_for_a_writer_in_wal_mode(tmp_path):
    s = load_settings(**PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    options = s["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "PRAGMA journal_mode=WAL" in options["init_command"]


def test_postgresql_gets_no_sqlite_options():
    s = load_settings(**PRODUCTION, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    assert "transaction_mode" not in s["DATABASES"]["default"].get("OPTIONS", {})
