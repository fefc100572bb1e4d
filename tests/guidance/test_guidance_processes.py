"""A publish reaches every long-running server process at once, without a restart."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = """
from django.contrib.auth.models import User
from guidance.governance import ruleset_approve, ruleset_publish, ruleset_rollback, ruleset_submit
from guidance.models import RuleSet
from guidance.services import ruleset_create_draft
from options.identity.accounts import user_create
def person(name, role):
    user = User.objects.filter(username=name).first()
    return user or user_create(username=name, password="plaster-quinine-harbour-41", role=role)
editor, officer = person("ed", "editor"), person("cso", "safety_officer")
"""
PUBLISH_DRAFT = PEOPLE + """
draft = ruleset_create_draft(source=RuleSet.objects.get(state="published"), by=editor)
ruleset_submit(ruleset=draft, by=editor, summary="A copy, to test publishing")
ruleset_approve(ruleset=draft, by=officer, comment="Checked")
ruleset_publish(ruleset=draft, by=editor)
"""
ROLL_BACK = PEOPLE + """
ruleset_rollback(ruleset=RuleSet.objects.get(version="2026.3"), by=editor, reason="Test")
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=60)


def current_version(port, wait=0.0):
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/guidance/current-version", timeout=5) as reply:
                return json.load(reply)["version"]
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def start_server(stack, env, port):
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(server.wait, timeout=10)
    stack.callback(server.terminate)
    return server


@pytest.fixture
def server_env(tmp_path):
    env = {**os.environ, "DJANGO_DEBUG": "true",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'servers.sqlite3'}"}
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "load_guidance")
    return env


def test_two_server_processes_serve_the_new_version_after_a_publish(server_env):
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        for port in ports:
            start_server(stack, server_env, port)
        # Each process has compiled and cached 2026.3 before the publish.
        assert [current_version(port, wait=15) for port in ports] == ["2026.3", "2026.3"]

        manage(server_env, "shell", "-c", PUBLISH_DRAFT)
        assert [current_version(port) for port in ports] == ["2026.4", "2026.4"]

        manage(server_env, "shell", "-c", ROLL_BACK)
        assert [current_version(port) for port in ports] == ["2026.3", "2026.3"]
