"""PostgreSQL stops for 10 s under load: BoneCare answers only 503s (JSON with Retry-After for
the API, a page for people), logs a line per failed request and no traceback, recovers by
itself within 5 s of the restart, and its audit never says ok for a call that got a 503."""

import subprocess
import sys
import time

import pytest

from .load import Load, chunked_post, json_body, request, sign_in
from .processes import (
    ROOT,
    Gunicorn,
    PostgresCluster,
    bonecare_environment,
    prepare,
    scratch_folder,
    wait_for,
)

pytestmark = pytest.mark.fault

OUTAGE_SECONDS = 10
RECOVERY_LIMIT_SECONDS = 5
KINDS = ("evaluate", "consultation", "page")


def assessment(ref):
    return {"cancer_type": "breast", "bone_metastases": True, "patient_ref": ref}


def test_a_database_outage_is_503s_then_recovers_by_itself(say):
    with scratch_folder() as folder:
        cluster = PostgresCluster(folder)
        server = None
        try:
            began = time.monotonic()
            cluster.init()
            env = bonecare_environment(cluster.url, DJANGO_STATIC_ROOT=str(folder / "static"))
            server = Gunicorn(env, folder / "gunicorn.log")
            token, password = _prepare(env)
            server.start()
            say(f"\nSet-up (cluster, migrate, guidance, static, gunicorn): "
                  f"{time.monotonic() - began:.1f} s")
            calls, times, log = _outage_under_load(cluster, server, token, password)
            _check(calls, times, log, cluster, say)
        finally:
            if server is not None:
                server.stop()
            cluster.close()


def _prepare(env):
    """Collect the static files (pages need their manifest) while the database is set up."""
    collect = subprocess.Popen([sys.executable, "manage.py", "collectstatic", "--noinput",
                                "-v0"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        return prepare(env, scopes="evaluate,consultations:write", clinician=True)
    finally:
        assert collect.wait(timeout=120) == 0, "collectstatic failed"


def _outage_under_load(cluster, server, token, password):
    cookie = sign_in(server.base, "clinician", password)
    page = {"Cookie": cookie}
    assert request(server.base, "GET", "/consultations/new/", headers=page)[0] == 200
    api = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    assert chunked_post(server.base, "/api/v1/evaluate", json_body(assessment("FTX")),
                        api) == 411

    load = Load(server.base)
    load.add("evaluate", lambda n: ("POST", "/api/v1/evaluate",
                                    json_body(assessment(f"FTE{n}")), api, f"FTE{n}"))
    load.add("consultation", lambda n: ("POST", "/api/v1/consultations",
                                        json_body(assessment(f"FTC{n}")),
                                        {**api, "Idempotency-Key": f"ftc-{n}"}, f"FTC{n}"))
    load.add("page", lambda n: ("GET", "/consultations/new/", None, page, ""))
    log_start = len(server.log())
    times = {}
    load.start()
    try:
        time.sleep(2)
        cluster.stop()
        times["stopped"] = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        times["restarting"] = time.monotonic()
        cluster.start()
        times["started"] = time.monotonic()
        wait_for(lambda: _recovered(load.snapshot(), times["started"]), seconds=15,
                 what="a success of every kind after the restart")
        time.sleep(1)
    finally:
        load.stop()
    return load.snapshot(), times, server.log()[log_start:]


def _recovered(calls, started):
    return all(any(c.kind == kind and c.sent >= started and 200 <= c.status < 300
                   for c in calls) for kind in KINDS)


def _check(calls, times, log, cluster, say):
    assert not [c.error for c in calls if c.error], "requests went unanswered"
    statuses = {c.status for c in calls}
    assert statuses <= {200, 201, 503}, f"unexpected statuses {statuses}"
    unavailable = [c for c in calls if c.status == 503]
    during = [c for c in calls if c.sent >= times["stopped"] and c.done <= times["restarting"]]
    assert during and all(c.status == 503 for c in during)
    for call in unavailable:
        assert int(call.headers["retry-after"]) > 0
        if call.kind == "page":
            assert call.headers["content-type"].startswith("text/html")
        else:
            assert call.headers["content-type"] == "application/json"
            assert b'"status": 503' in call.body or b'"status":503' in call.body
    recovery = {kind: min(c.done for c in calls if c.kind == kind and
                          c.sent >= times["started"] and 200 <= c.status < 300)
                - times["started"] for kind in KINDS}
    lines = [line for line in log.splitlines() if line.strip() and "[INFO]" not in line]
    rows = _check_audit(calls, cluster)

    say(f"Database outage: {len(calls)} requests ({len(during)} during the "
          f"{OUTAGE_SECONDS} s outage), {len(unavailable)} answered 503, "
          f"{sum(c.status < 300 for c in calls)} succeeded, 0 answered 500")
    say("First success after the restart: " + ", ".join(
        f"{kind} {seconds:.2f} s" for kind, seconds in recovery.items()))
    say(f"Server log: {len(lines)} lines for {len(unavailable)} failed requests, "
          f"{log.count('Traceback')} tracebacks")
    say(f"Audit: {rows} rows checked, none ok for a 503, every consultation audited")

    assert max(recovery.values()) <= RECOVERY_LIMIT_SECONDS, recovery
    assert "Traceback" not in log
    assert len(lines) <= len(unavailable), "\n".join(lines[:20])


def _check_audit(calls, cluster):
    """No audit row says ok for a call that got 503; every consultation has its audit row."""
    failed = {c.ref for c in calls if c.status == 503 and c.ref}
    stored = [c.ref for c in calls if c.status == 201]
    call_rows = cluster.psql("SELECT patient_ref, outcome FROM api_apicallaudit "
                             "WHERE patient_ref LIKE 'FT%'")
    evaluation_rows = cluster.psql("SELECT patient_ref, outcome FROM options_evaluationaudit "
                                   "WHERE patient_ref LIKE 'FT%'")
    assert not [r for r in call_rows + evaluation_rows if r[0] in failed and r[1] == "ok"]
    consultations = cluster.psql("SELECT patient_ref FROM options_consultation")
    assert sorted(r[0] for r in consultations) == sorted(stored)
    # Stored through the API: the call's one audit row is the evaluation's record.
    unaudited = cluster.psql(
        "SELECT c.id FROM options_consultation c WHERE NOT EXISTS (SELECT 1 FROM "
        "api_apicallaudit a WHERE a.consultation_id = c.id AND a.outcome = 'ok')")
    assert unaudited == []
    return len(call_rows) + len(evaluation_rows) + len(consultations)
