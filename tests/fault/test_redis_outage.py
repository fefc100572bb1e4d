"""Redis stops while gunicorn (REDIS_URL pointing at it) serves API calls: the throttle counts
in the database instead, every call is answered, and each worker warns once."""

import time

import pytest

from .load import Load, json_body
from .processes import (
    WORKERS,
    Gunicorn,
    RedisServer,
    bonecare_environment,
    prepare,
    scratch_folder,
    wait_for,
)

pytestmark = pytest.mark.fault

OUTAGE_SECONDS = 4


def test_a_redis_outage_leaves_the_api_answering(say):
    with scratch_folder() as folder:
        redis = RedisServer()
        server = None
        try:
            redis.start()
            env = bonecare_environment(f"sqlite:///{folder / 'bonecare.sqlite3'}",
                                       REDIS_URL=redis.url)
            token, _ = prepare(env, scopes="evaluate")
            server = Gunicorn(env, folder / "gunicorn.log")
            server.start()
            calls, log = _outage_under_load(redis, server, token)
        finally:
            if server is not None:
                server.stop()
            redis.stop()
    _check(calls, log, say)


def _outage_under_load(redis, server, token):
    api = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    body = json_body({"cancer_type": "breast", "bone_metastases": True})
    load = Load(server.base, pause=0.02)
    load.add("evaluate", lambda n: ("POST", "/api/v1/evaluate", body, api, ""))
    load.add("whoami", lambda n: ("GET", "/api/v1/whoami", None, api, ""))
    log_start = len(server.log())
    load.start()
    try:
        time.sleep(1.5)
        redis.stop()
        time.sleep(OUTAGE_SECONDS)
        redis.start()
        wait_for(lambda: "Redis answers again" in server.log()[log_start:], seconds=10,
                 what="the throttle going back to Redis")
    finally:
        load.stop()
    return load.snapshot(), server.log()[log_start:]


def _check(calls, log, say):
    warnings = [line for line in log.splitlines() if "Redis unavailable" in line]
    statuses = {c.status for c in calls}
    say(f"\nRedis outage: {len(calls)} API calls, statuses {sorted(statuses)}, "
          f"{len(warnings)} warning(s) from {WORKERS} workers, "
          f"{log.count('Traceback')} tracebacks")
    assert not [c.error for c in calls if c.error], "requests went unanswered"
    assert statuses == {200}
    assert 1 <= len(warnings) <= WORKERS, warnings  # one per worker process at most
    assert "Traceback" not in log
