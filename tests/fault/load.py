"""Bounded load from a few threads, each call recorded with its times and answer."""

import http.client
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


@dataclass
class Call:
    """One request: what was asked, when, and what came back (status 0: no answer)."""

    kind: str
    sent: float
    done: float = 0.0
    status: int = 0
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    ref: str = ""
    error: str = ""


def request(base, method, path, *, body=None, headers=None, timeout=10):
    """Send one request on a new connection; return (status, headers, body)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def chunked_post(base, path, body, headers):
    """POST a body with Transfer-Encoding: chunked and no Content-Length; return the status."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", path, body=iter([body]),
                           headers={**headers, "Transfer-Encoding": "chunked"},
                           encode_chunked=True)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def sign_in(base, username, password):
    """Sign in through the login form; return the Cookie header of the signed-in session."""
    status, headers, body = request(base, "GET", "/accounts/login/")
    cookies = SimpleCookie(headers.get("set-cookie", ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
    form = urlencode({"username": username, "password": password,
                      "csrfmiddlewaretoken": token})
    status, headers, _ = request(base, "POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        "Referer": f"{base}/accounts/login/"})
    assert status == 302, f"sign-in answered {status}"
    session = SimpleCookie(headers.get("set-cookie", ""))["sessionid"].value
    return f"sessionid={session}; csrftoken={cookies['csrftoken'].value}"


class Load:
    """Threads that each repeat one kind of call until stopped, with a pause between."""

    def __init__(self, base, pause=0.05):
        self.base = base
        self.pause = pause
        self.calls = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []

    def add(self, kind, make):
        """Repeat make(n) -> (method, path, body, headers, ref) as one thread."""
        self._threads.append(threading.Thread(target=self._loop, args=(kind, make), daemon=True))

    def _loop(self, kind, make):
        n = 0
        while not self._stop.is_set():
            n += 1
            method, path, body, headers, ref = make(n)
            call = Call(kind=kind, sent=time.monotonic(), ref=ref)
            try:
                call.status, call.headers, call.body = request(self.base, method, path,
                                                               body=body, headers=headers)
            except OSError as exc:
                call.error = f"{exc.__class__.__name__}: {exc}"
            call.done = time.monotonic()
            with self._lock:
                self.calls.append(call)
            self._stop.wait(self.pause)

    def start(self):
        for thread in self._threads:
            thread.start()

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def snapshot(self):
        with self._lock:
            return list(self.calls)


def json_body(data):
    return json.dumps(data).encode()
