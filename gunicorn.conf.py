"""Gunicorn in production: `gunicorn -c gunicorn.conf.py bonecare.wsgi` (docs/operations.md).

Each value can be changed from the environment, or on the command line, which wins.
"""

import os

# Behind the TLS proxy on the same machine; set to a private address when it is elsewhere.
bind = os.environ.get("BONECARE_BIND", "127.0.0.1:8000").split(",")

# Sync workers, twice the cores plus one, capped so a large machine does not exhaust the
# database's connections (each worker keeps one open for 60 s).
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, 12))

# A worker silent this long is killed and replaced; an evaluation takes milliseconds.
timeout = int(os.environ.get("BONECARE_WORKER_TIMEOUT", "30"))
# On SIGTERM or a reload, requests under way get this long to finish.
graceful_timeout = 30
# The proxy keeps connections open to reuse them.
keepalive = 5
# Replace each worker now and then, staggered, so that nothing it holds grows for ever; rarely
# enough that a busy worker is not restarting every minute. A restart costs the others a
# second or two of the new worker's start-up on the same cores: at 10,000 requests a busy
# benchmark worker (500 calls a second) restarted every 20 s, and each restart put
# 300-700 ms on the p99 of the CDS Hooks service (make bench-cds; 48 ms without restarts).
max_requests = 200000
max_requests_jitter = 20000

# Errors to stderr. Access lines to stdout, unless BONECARE_ACCESS_LOG=off (or a file path):
# method, path and status only. The query string and the referrer may carry a patient
# reference (GET /api/v1/consultations?patient_ref=...), so neither is logged: %(U)s is
# the path alone, never %(r)s, %(q)s or %(f)s.
errorlog = "-"
loglevel = os.environ.get("BONECARE_LOG_LEVEL", "info")
_access = os.environ.get("BONECARE_ACCESS_LOG", "-")
accesslog = None if _access == "off" else _access
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'

# Started and stopped with signals by the service manager; no control socket to share
# between two instances on one machine.
control_socket_disable = True
