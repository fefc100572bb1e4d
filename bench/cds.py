"""Benchmark the CDS Hooks service under gunicorn: patient-view with the V01 prefetch beside
POST /api/v1/evaluate with V01's assessment, in the same run.

Run with `make bench-cds` (or `python -m bench.cds`). For each database (a temporary SQLite
file and, when BENCH_POSTGRESQL_URL names a throwaway database, PostgreSQL) it migrates,
loads the guidance, creates an API client and a CDS client (a fresh EC P-256 key whose public
JWK Set is registered with create_cds_client), serves with bench.api's gunicorn and drives
both endpoints with wrk at 16 connections.

Every CDS Hooks call needs a JWT whose jti was never used, so one token cannot sit in a wrk
header. Before the run this signs BENCH_CDS_TOKENS tokens (ES256, five minutes' life: the
most BoneCare accepts; aud the patient-view URL, a jti each) into a file that a wrk Lua
script reads; each of wrk's threads
sends every n-th token, so none is sent twice. Signing is not timed (the EHR signs, not
BoneCare); verifying, the replay check and all the rest is. Should the tokens run out, wrk
would replay them and get 401s, which are counted as errors.
"""

import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from bench.api import (
    CONNECTIONS,
    PORT,
    ROOT,
    SECONDS,
    WORKERS,
    _environment,
    _manage,
    _wrk,
    databases,
    print_table,
)
from bench.api import gunicorn as serve

EVALUATE = "/api/v1/evaluate"
PATIENT_VIEW = "/cds-services/bonecare-patient-view"
EXAMPLE = ROOT / "options" / "cds_hooks" / "examples" / "V01.json"
THREADS = 2
TOKENS = int(os.environ.get("BENCH_CDS_TOKENS", "60000"))
WARM_TOKENS = 6000
TARGET_SHARE, TARGET_P99 = 0.5, 100.0
# Each wrk thread reads the token file and sends its own share of the lines, in turn.
LUA = """
local tokens, step, index = {}, 0, 0
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter)
end
function init(args)
  for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
  step = %(threads)d
  index = offset
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[%(body)s]==]
function request()
  local token = tokens[index]
  index = index + step
  if index > #tokens then index = offset end
  -- Headers given here replace wrk.headers, so the content type is named again.
  return wrk.format(nil, nil, {["Authorization"] = "Bearer " .. token,
                               ["Content-Type"] = "application/json"})
end
"""


def main():
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    runs = {}
    with tempfile.TemporaryDirectory(prefix="bonecare-bench-cds-") as tmp:
        for name, url in databases(tmp).items():
            print(f"Database: {name}", flush=True)
            runs[name] = _run(_environment(url), Path(tmp) / name)
    _report(runs)


def _run(env, tmp):
    tmp.mkdir()
    env["BONECARE_CDS_THROTTLE_RATE"] = "100000000/min"
    key = ec.generate_private_key(ec.SECP256R1())
    api_token, iss = _prepare(env, key, tmp)
    audience = f"http://127.0.0.1:{PORT}{PATIENT_VIEW}"
    tokens = {name: _sign(key, iss, audience, tmp / f"{name}.txt", count)
              for name, count in (("warm", WARM_TOKENS), ("run", TOKENS))}
    with serve(env):
        return _measure(api_token, tokens, tmp)


def _prepare(env, key, tmp):
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_guidance")
    public = {**json.loads(ECAlgorithm.to_jwk(key.public_key())), "kid": "bench"}
    jwks = tmp / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public]}))
    suffix = secrets.token_hex(4)
    iss = f"https://bench-ehr-{suffix}.invalid"
    _manage(env, "create_cds_client", f"bench-ehr-{suffix}", "--iss", iss, "--jwks", str(jwks),
            "--services", "bonecare-patient-view")
    token = _manage(env, "create_api_client", f"bench-{suffix}", "--scopes", "evaluate")
    return token.strip(), iss


def _sign(key, iss, audience, path, count):
    started = time.perf_counter()
    now = int(time.time())
    with path.open("w") as out:
        for _ in range(count):
            claims = {"iss": iss, "aud": audience, "iat": now, "exp": now + 300,
                      "jti": str(uuid.uuid4())}
            out.write(jwt.encode(claims, key, algorithm="ES256", headers={"kid": "bench"})
                      + "\n")
    print(f"Signed {count} one-use JWTs in {time.perf_counter() - started:.1f} s (not "
          "timed)", flush=True)
    return path


def _measure(api_token, tokens, tmp):
    example = json.loads(EXAMPLE.read_text())
    evaluate = tmp / "evaluate.lua"
    evaluate.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = [==[{json.dumps(example["mapped_assessment"])}]==]\n'
        'wrk.headers["Content-Type"] = "application/json"\n')
    hooks = {}
    for name, path in tokens.items():
        hooks[name] = tmp / f"patient_view_{name}.lua"
        hooks[name].write_text(LUA % {"tokens": path, "threads": THREADS,
                                      "body": json.dumps(example["request"])})
    header = f"Authorization: Token {api_token}"
    _wrk(EVALUATE, header, script=evaluate, seconds=3)  # warm every worker up
    _wrk(PATIENT_VIEW, "X-Bench: warm-up", script=hooks["warm"], seconds=3)
    return {"evaluate": _wrk(EVALUATE, header, script=evaluate),
            "patient_view": _wrk(PATIENT_VIEW, "X-Bench: cds", script=hooks["run"])}


NAMES = {"evaluate": f"POST {EVALUATE} (V01 assessment)",
         "patient_view": f"POST {PATIENT_VIEW} (V01 prefetch)"}


def _report(runs):
    print(f"\nwrk, {CONNECTIONS} connections, {SECONDS} s each, gunicorn with {WORKERS} sync "
          f"workers, DEBUG off, on {os.cpu_count()} cores; a fresh JWT per hook call\n")
    print_table(runs, NAMES)
    for database, results in runs.items():
        hook, evaluate = results["patient_view"], results["evaluate"]
        share = hook["rps"] / evaluate["rps"]
        met = share >= TARGET_SHARE and hook["p99"] < TARGET_P99 and not hook["errors"]
        print(f"{database}: patient-view / evaluate {share:.2f} (target: >= {TARGET_SHARE}, "
              f"p99 < {TARGET_P99:.0f} ms, no errors: {'met' if met else 'NOT met'})")


if __name__ == "__main__":
    main()
