"""A small FHIR server for tests, run as its own process: it serves the prefetch Bundles of
one shared example for the token it was given, and answers /slow/ after a delay. Given
ELSEWHERE (another server's URL), it also answers /moved-<3xx>/<path> with that redirect to
ELSEWHERE/<path>, and /next-away/<path> with the Bundle whose next page is ELSEWHERE/<path>.

python -m tests.cds_hooks.fhir_server EXAMPLE TOKEN [ELSEWHERE]  (prints its port, serves)
"""

import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.cds_hooks.helpers import example

PATHS = {"Patient": "patient", "Condition": "conditions", "Observation": "observations",
         "AllergyIntolerance": "allergies", "MedicationStatement": "medications",
         "Procedure": "procedures"}


def handler_for(prefetch, token, elsewhere=""):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            moved = re.match(r"/moved-(3\d\d)(/.*)", self.path)
            if moved and elsewhere:
                return self._send(int(moved[1]), {}, location=elsewhere + moved[2])
            path = urlsplit(self.path).path
            away = path.startswith("/next-away/")
            path = path.removeprefix("/next-away")
            if path.startswith("/slow/"):
                time.sleep(3)
                path = path.removeprefix("/slow")
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self._send(401, {"resourceType": "OperationOutcome"})
            kind = path.strip("/").split("/")[1] if path.count("/") >= 2 else ""
            key = PATHS.get(kind)
            if key is None:
                return self._send(404, {"resourceType": "OperationOutcome"})
            self.server.seen.append(self.path)
            return self._send(200, self._next_away(prefetch[key], path) if away
                              else prefetch[key])

        def _next_away(self, bundle, path):
            return {**bundle, "link": [{"relation": "next", "url": elsewhere + path}]}

        def _send(self, status, body, location=""):
            data = json.dumps(body).encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


def main():
    name, token, elsewhere = sys.argv[1], sys.argv[2], (sys.argv[3:] or [""])[0]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(
        example(name)["request"]["prefetch"], token, elsewhere))
    server.seen = []
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
