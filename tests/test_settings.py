"""The settings module refuses to start with a missing or malformed environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
)


def run_settings(**env):
    """Load the settings in a fresh interpreter with only the given DJANGO_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="bonecare.settings")
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start_naming_the_variable():
    result = run_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("value", ["yes", "True", "1", "on"])
def test_debug_flag_accepts_only_true_or_false(value):
    result = run_settings(DJANGO_DEBUG=value, DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_DEBUG" in result.stderr


def test_production_with_secret_key_uses_secure_cookies():
    result = run_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_insecure_cookies_flag_allows_local_http():
    result = run_settings(DJANGO_SECRET_KEY="x" * 50, DJANGO_INSECURE_COOKIES="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False"]


def test_debug_runs_without_secret_key():
    result = run_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"
