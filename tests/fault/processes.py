"""The processes a fault test starts and stops: a private PostgreSQL cluster, a private Redis
and BoneCare under gunicorn. Each is stopped and its folder removed however the test ends."""

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


def free_port():
    """Return a local TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, *, seconds, what):
    """Poll check() until it is true; fail the test naming what did not happen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds} s")


def postgres_bin():
    """Return Debian's newest PostgreSQL bin folder, or skip the test saying why."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if not found:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): "
                    "apt-get install postgresql")
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _user_exists("postgres")):
        pytest.skip("running as root needs runuser and the postgres user to run initdb")
    return Path(found[-1]).parent


def _user_exists(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class PostgresCluster:
    """A throwaway cluster in its own folder, owned by postgres, on a free port."""

    def __init__(self, folder):
        self.bin = postgres_bin()
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/bonecare"
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)

    def _run(self, program, *args):
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:  # initdb and the server refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        self.start()
        self.psql("CREATE DATABASE bonecare", database="postgres")

    def start(self):
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "-t", "30", "start")

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def psql(self, sql, database="bonecare"):
        """Run one statement; return its rows as tuples of strings."""
        output = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
             "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True, capture_output=True, text=True, timeout=30).stdout
        return [tuple(line.split("\t")) for line in output.splitlines() if line]

    def close(self):
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


class RedisServer:
    """A private redis-server that keeps nothing on disk."""

    def __init__(self):
        if shutil.which("redis-server") is None:
            pytest.skip("no redis-server: apt-get install redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _accepts(self.port), seconds=10, what="redis-server start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _accepts(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def bonecare_environment(database_url, **extra):
    """Production settings over plain http on this machine, with the given database."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "BONECARE_")) and k not in ("DATABASE_URL",
                                                                      "REDIS_URL")}
    env.update({
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_PLAIN_HTTP": "true",
        "DJANGO_INSECURE_COOKIES": "true",
        "BONECARE_ACCESS_LOG": "off",
        "BONECARE_API_THROTTLE_RATE": "1000000/min",
        "BONECARE_API_ANONYMOUS_RATE": "1000000/min",
        "PYTHONWARNINGS": "ignore:No directory at",
    }, **extra)
    return env


def manage(env, *args):
    """Run a management command in the project; return what it printed."""
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120).stdout


def prepare(env, *, scopes, clinician=False):
    """Migrate, load the guidance and create an API client (and the demo clinician) through
    the management commands, in two processes rather than five; return (token, password)."""
    manage(env, "migrate", "--noinput", "-v0")
    script = ("from django.core.management import call_command; "
              "call_command('load_guidance'); "
              f"call_command('create_api_client', 'Fault EHR', scopes={scopes!r})"
              + ("; call_command('create_demo_users')" if clinician else ""))
    output = manage(env, "shell", "-c", script)
    token = re.search(r"^[0-9a-f]{12}\.\S+$", output, re.M)[0]
    password = re.search(r"^\s*clinician: (\S+)$", output, re.M) if clinician else None
    return token, password[1] if password else None


class Gunicorn:
    """BoneCare under gunicorn with sync workers, its log (both streams) in one file."""

    def __init__(self, env, log_path):
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        self.process = None

    def start(self):
        config = ["-c", "gunicorn.conf.py"] if (ROOT / "gunicorn.conf.py").exists() else []
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", *config, "bonecare.wsgi", "--bind",
                 f"127.0.0.1:{self.port}", "--workers", str(WORKERS), "--worker-class",
                 "sync", "--log-level", "info"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._up, seconds=30, what="gunicorn start")

    def _up(self):
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{self.log()}")
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def scratch_folder():
    """A temporary folder removed afterwards, whoever owns what is in it."""
    folder = tempfile.mkdtemp(prefix="bonecare-fault-")
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
