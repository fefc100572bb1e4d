"""Benchmark the API under gunicorn: POST /api/v1/evaluate and the authenticated GET
/api/v1/whoami, against the yardstick of a truly bare DRF app (bench/bare_project: its own
settings, DRF and one view returning {"ok": true}, none of BoneCare's middleware), and,
as a second line, a bare DRF view inside BoneCare's own middleware (bench/urls.py).

Run with `make bench-api` (or `python -m bench.api`). For each database, a temporary SQLite
file (the embedded default) and, when BENCH_POSTGRESQL_URL names a throwaway database,
PostgreSQL: it migrates the database, loads the guidance, creates a client, starts gunicorn
with DEBUG off on BENCH_PORT (8104) and bench.settings (the product's URLs plus the bare
view, bench/urls.py), drives the three endpoints with wrk at 16 connections, and stops the
server it started. Then it prints every figure and the ratios to the bare view, which are
measured minutes apart on the same machine and so survive a busy machine better than the
absolute figures.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PORT", "8104"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))  # per endpoint, in ROUNDS turns
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SCENARIO = os.environ.get("BENCH_SCENARIO", "V01")
BARE = "/bench/bare"
TRULY_BARE = "/ok"  # bench/bare_project, on PORT + 1
WHOAMI = "/api/v1/whoami"
EVALUATE = "/api/v1/evaluate"
# Targets for evaluate, per database: (least throughput as a share of the truly bare app's,
# greatest p99 in ms at CONNECTIONS connections).
TARGETS = {"PostgreSQL": (0.2, 100.0), "SQLite": (0.2, 100.0)}
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def main():
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    runs = {}
    with tempfile.TemporaryDirectory(prefix="bonecare-bench-") as tmp:
        for name, url in databases(tmp).items():
            print(f"Database: {name}", flush=True)
            runs[name] = _run(_environment(url), Path(tmp))
    _report(runs)


def databases(tmp):
    """Return {name: URL} of the databases to measure: a throwaway SQLite file under `tmp`
    and BENCH_POSTGRESQL_URL when set; BENCH_DATABASES (e.g. "PostgreSQL") keeps some."""
    found = {"SQLite": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
    if os.environ.get("BENCH_POSTGRESQL_URL"):
        found["PostgreSQL"] = os.environ["BENCH_POSTGRESQL_URL"]
    chosen = os.environ.get("BENCH_DATABASES")
    if chosen:
        found = {name: url for name, url in found.items() if name in chosen.split()}
    return found


def _run(env, tmp):
    token = _prepare(env)
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare_project.settings"}
    with gunicorn(env), gunicorn(bare_env, app="bench.bare_project.wsgi", port=PORT + 1,
                                 probe="/ok"):
        return _measure(token, tmp)


@contextlib.contextmanager
def gunicorn(env, *, app="bonecare.wsgi", port=PORT, probe="/healthz"):
    """Serve `app` under gunicorn on `port` until the block ends, as in production
    (gunicorn.conf.py, access log included; its lines go nowhere here)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app,
         "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning",
         *os.environ.get("BENCH_GUNICORN_ARGS", "").split()],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        _wait_until_up(port, probe)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def _environment(database_url):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_PLAIN_HTTP": "true",  # wrk speaks plain http to gunicorn
        "BONECARE_ACCESS_LOG": "-",  # on, as in production
        # Measure the work, not the throttle's refusals.
        "BONECARE_API_THROTTLE_RATE": "100000000/min",
        "PYTHONWARNINGS": "ignore:No directory at",  # no collectstatic needed here
    })
    return env


def _manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def _prepare(env):
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_guidance")
    name = f"bench-{secrets.token_hex(4)}"
    return _manage(env, "create_api_client", name, "--scopes", "evaluate").strip()


def _wait_until_up(port, probe):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start within 30 seconds")


def _measure(token, tmp):
    """Drive the four endpoints in alternating short rounds; return each one's medians.

    Rounds take turns (truly bare, bare, whoami, evaluate, then the other way round), so
    that whatever else the machine does in a given minute slows all alike and the ratios
    hold.
    """
    scenario = json.loads((_scenarios_dir() / f"{SCENARIO}.json").read_text())
    post = tmp / "evaluate.lua"
    post.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = [==[{json.dumps(scenario["assessment"])}]==]\n'
        'wrk.headers["Content-Type"] = "application/json"\n')
    header = f"Authorization: Token {token}"
    _wrk(EVALUATE, header, script=post, seconds=3)  # warm every worker up
    endpoints = {"truly_bare": (TRULY_BARE, None), "bare": (BARE, None),
                 "whoami": (WHOAMI, None), "evaluate": (EVALUATE, post)}
    rounds = {key: [] for key in endpoints}
    for turn in range(ROUNDS):
        for key in list(endpoints) if turn % 2 == 0 else reversed(endpoints):
            path, script = endpoints[key]
            rounds[key].append(_wrk(path, header, script=script,
                                    seconds=max(1, SECONDS // ROUNDS)))
    return {key: _medians(results) for key, results in rounds.items()}


def _medians(results):
    """Return the median round's figures, and every error of every round."""
    return {"rps": statistics.median(r["rps"] for r in results),
            "p50": statistics.median(r["p50"] for r in results),
            "p99": statistics.median(r["p99"] for r in results),
            "errors": sum(r["errors"] for r in results)}


def _scenarios_dir():
    return ROOT / "guidance" / "data" / "scenarios"


def _wrk(path, header, *, script=None, seconds=SECONDS):
    port = PORT + 1 if path == TRULY_BARE else PORT
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency",
               "-H", header, f"http://127.0.0.1:{port}{path}"]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return _parse(output)


def _parse(output):
    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(match[1]) * _UNITS[match[2]]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": latency(50),
        "p99": latency(99),
        "errors": (int(non_2xx[1]) if non_2xx else 0)
        + (sum(int(n) for n in socket.groups()) if socket else 0),
    }


NAMES = {"truly_bare": f"GET {TRULY_BARE} (truly bare DRF app)",
         "bare": f"GET {BARE} (bare view, BoneCare middleware)", "whoami": f"GET {WHOAMI}",
         "evaluate": f"POST {EVALUATE} ({SCENARIO})"}


def print_table(runs, names):
    """Print one line per database and endpoint: req/s, p50, p99 and errors."""
    width = max(len(name) for name in names.values())
    print(f"{'database':<11} {'endpoint':<{width}} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7}")
    for database, results in runs.items():
        for key, r in results.items():
            print(f"{database:<11} {names[key]:<{width}} {r['rps']:>9.0f} {r['p50']:>8.2f} "
                  f"{r['p99']:>8.2f} {r['errors']:>7}")
    print()


def _report(runs):
    print(f"\nwrk, {CONNECTIONS} connections, {SECONDS} s per endpoint in {ROUNDS} alternating "
          f"rounds (medians), gunicorn with {WORKERS} sync workers, DEBUG off, access log on, "
          f"on {os.cpu_count()} cores\n")
    print_table(runs, NAMES)
    for database, results in runs.items():
        truly_bare, evaluate = results["truly_bare"]["rps"], results["evaluate"]
        share, p99 = TARGETS[database]
        ratio = evaluate["rps"] / truly_bare
        met = ratio >= share and evaluate["p99"] <= p99 and not evaluate["errors"]
        print(f"{database}: evaluate {evaluate['rps']:.0f} req/s / truly bare app "
              f"{truly_bare:.0f} req/s = {ratio:.2f}, p99 {evaluate['p99']:.1f} ms "
              f"(target: >= {share}, p99 <= {p99:.0f} ms, no errors: "
              f"{'met' if met else 'NOT met'})")
        for key in ("bare", "whoami"):
            print(f"{'':<{len(database)}}  {NAMES[key]} / truly bare app "
                  f"{results[key]['rps'] / truly_bare:.2f}; evaluate / it "
                  f"{evaluate['rps'] / results[key]['rps']:.2f}")


if __name__ == "__main__":
    main()
