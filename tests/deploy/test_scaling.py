"""Beyond one machine: two gunicorn instances on one PostgreSQL database and one Redis.

They stand for two application servers behind a load balancer (docs/operations.md, "Beyond
one machine"): each serves what the other stored, a publish reaches both at once, and the API
throttle counts a client's calls across both. Skipped where gunicorn, redis-server or PostgreSQL on
127.0.0.1:5432 is missing.
"""

import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

import psycopg2
import pytest
import redis

from tests.guidance.test_guidance_processes import PUBLISH_DRAFT, ROOT, current_version, free_port

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None or importlib.util.find_spec("gunicorn") is None,
    reason="needs gunicorn and redis-server")
POSTGRES = "postgres://postgres@127.0.0.1:5432"
LIMIT = 10


def postgres(sql):
    try:
        connection = psycopg2.connect(f"{POSTGRES}/postgres", connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432: {exc}")
    connection.autocommit = True  # CREATE and DROP DATABASE refuse a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120).stdout.strip()


def wait_for(check, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except (OSError, redis.ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def shared_services(stack):
    """A throwaway database on the machine's PostgreSQL and a private Redis."""
    name = f"bonecare_scaling_{secrets.token_hex(4)}"
    postgres(f"CREATE DATABASE {name}")
    stack.callback(postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(server.wait, timeout=10)
    stack.callback(server.terminate)
    store = redis.Redis(port=port)
    wait_for(store.ping)
    return f"{POSTGRES}/{name}", f"redis://127.0.0.1:{port}/0", store


@pytest.fixture
def stack():
    with ExitStack() as stack:
        yield stack


@pytest.fixture
def two_instances(stack, shared_services):
    database_url, redis_url, store = shared_services
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BONECARE_"))},
           "DATABASE_URL": database_url, "REDIS_URL": redis_url, "DJANGO_DEBUG": "false",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_PLAIN_HTTP": "true", "BONECARE_ACCESS_LOG": "off",
           "BONECARE_API_THROTTLE_RATE": f"{LIMIT}/hour"}
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "load_guidance")
    ports = [free_port(), free_port()]
    for port in ports:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "bonecare.wsgi",
             "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(server.wait, timeout=40)
        stack.callback(server.terminate)
    for port in ports:
        wait_for(lambda port=port: urllib.request.urlopen(
            f"http://127.0.0.1:{port}/healthz", timeout=1).close())
    return env, ports, store


def api(port, path, token):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, None


def test_two_instances_share_the_data_the_rulesets_and_the_throttle(two_instances):
    env, ports, store = two_instances
    token = manage(env, "create_api_client", "Ward EHR", "--scopes", "evaluate")
    # A client made through one management command is known to both at once.
    assert [api(port, "/api/v1/whoami", token)[1]["name"] for port in ports] == [
        "Ward EHR", "Ward EHR"]
    assert [current_version(port) for port in ports] == ["2026.3", "2026.3"]

    manage(env, "shell", "-c", PUBLISH_DRAFT)
    assert [current_version(port) for port in ports] == ["2026.4", "2026.4"]
    assert [api(port, "/api/v1/rulesets/current", token)[1]["version"] for port in ports] == [
        "2026.4", "2026.4"]

    # The throttle: LIMIT calls an hour, counted in the one Redis. Keep clear of the hour's end.
    if 3600 - time.time() % 3600 < 20:
        time.sleep(21)
    fresh = manage(env, "create_api_client", "Clinic EHR", "--scopes", "evaluate")
    statuses = [api(ports[call % 2], "/api/v1/whoami", fresh)[0] for call in range(LIMIT)]
    assert statuses == [200] * LIMIT  # each instance alone has seen half the limit
    assert [api(port, "/api/v1/whoami", fresh)[0] for port in ports] == [429, 429]
    assert store.keys("*api-throttle*"), "the calls were not counted in Redis"
