"""Measure server time of the clinician's form and result pages (`make bench-pages`).

Runs Django's test client in-process against a throwaway migrated database with the
default ruleset and one stored consultation (scenario V06), and prints the median and
95th percentile over REQUESTS requests per page. Only the server's work is timed: no
network, no browser.
"""

import json
import statistics
import time

from bench.django_db import throwaway_database

REQUESTS = 200


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _measure(client, path):
    client.get(path)  # warm caches (compiled ruleset, templates)
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), _percentile(times, 0.95)


def main():
    with throwaway_database():
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db import connection
        from django.test import Client

        from guidance.services import default_ruleset_data, ruleset_import
        from options.consultation.services import consultation_create
        from options.identity.roles import CLINICIAN

        ruleset_import(data=default_ruleset_data(), publish_if_none=True)
        user = get_user_model().objects.create_user(username="bench", password="unused")
        user.groups.add(Group.objects.get(name=CLINICIAN.group))
        v06 = json.loads((settings.BONECARE_SCENARIOS_DIR /
                          "V06.json").read_text())
        consultation = consultation_create(data=v06["assessment"], channel="form", by=user)
        client = Client()
        client.force_login(user)
        print(f"Server time over {REQUESTS} requests each ({connection.vendor}):")
        for label, path in (("GET /consultations/new/", "/consultations/new/"),
                            ("GET /consultations/<id>/", f"/consultations/{consultation.pk}/")):
            median, p95 = _measure(client, path)
            print(f"  {label:28} median {median:6.2f} ms   p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
