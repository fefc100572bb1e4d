"""BoneCare's side of a SMART launch, driven as a browser would (requests.Session): the EHR
opens /smart/launch, the clinician signs in at the EHR's login form, and BoneCare's callback
takes it from there. Only the clinician's steps are played; nothing is mocked."""

import re
from urllib.parse import urljoin

import requests
from django.contrib.sessions.models import Session

from options.smart.services import smart_client_create
from tests.smart.ehr import DEFAULT_USER, KEY_CLIENT_ID, PUBLIC_CLIENT_ID

CALLBACK = "/smart/callback"


def register(ehr, *, confidential=False, create_accounts=True, name="Test EHR"):
    """Register the test EHR with BoneCare as the public client (or the key client)."""
    return smart_client_create(
        name=name, iss=ehr.fhir_base,
        client_id=KEY_CLIENT_ID if confidential else PUBLIC_CLIENT_ID,
        client_type="confidential_asymmetric" if confidential else "public",
        signing_alg_name="ES384" if confidential else "",
        may_create_accounts=create_accounts)


class Browser:
    """One browser's cookies, at BoneCare and at the EHR."""

    def __init__(self, live_server):
        self.base = live_server.url
        self.session = requests.Session()
        self.callback_url = ""

    def get(self, path, **kwargs):
        return self.session.get(urljoin(self.base, path), timeout=15, **kwargs)

    def post(self, path, **kwargs):
        return self.session.post(urljoin(self.base, path), timeout=15, **kwargs)

    def launch(self, ehr, patient=None, *, launch=None, iss=None, subject=DEFAULT_USER,
               follow=True, **context):
        """The EHR opens BoneCare: return BoneCare's last answer (the form, or a refusal).
        With follow=False, stop before BoneCare's callback and return its URL."""
        if launch is None and patient is not None:
            launch = ehr.launch_create(patient, **context)
        response = self.get("/smart/launch", allow_redirects=False,
                            params={"iss": iss or ehr.fhir_base, "launch": launch or ""})
        return self._at_ehr(response, subject, follow)

    def standalone(self, client, *, subject=DEFAULT_USER):
        page = self.get("/smart/")
        link = re.search(r'href="(/smart/standalone\?client=\d+)"', page.text)[1]
        assert link == f"/smart/standalone?client={client.pk}"
        response = self.get(link, allow_redirects=False)
        return self._at_ehr(response, subject, True)

    def _at_ehr(self, response, subject, follow):
        if response.status_code != 302:
            return response
        location = response.headers["location"]
        while not location.startswith(self.base + CALLBACK):
            response = self.session.get(location, allow_redirects=False, timeout=15)
            if response.status_code == 200:  # the EHR's login form
                action = re.search(r'<form[^>]* action="([^"]+)"', response.text)[1]
                response = self.session.post(
                    urljoin(location, action), allow_redirects=False, timeout=15,
                    data={"prompt": "login", "login": subject, "password": "any"})
            assert response.status_code in (302, 303), response.text[:500]
            location = urljoin(location, response.headers["location"])
        self.callback_url = location
        if not follow:
            return location
        return self.session.get(location, timeout=15)

    def form_fields(self, page):
        """The consultation form's fields as a browser would post them, with its token."""
        fields = {}
        for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", page.text):
            name = re.search(r'name="([^"]+)"', tag)
            if name is None:
                continue
            value = re.search(r'value="([^"]*)"', tag)
            kind = re.search(r'type="([^"]+)"', tag)
            if kind and kind[1] in ("radio", "checkbox") and "checked" not in tag:
                continue
            if kind and kind[1] == "submit":
                continue
            fields.setdefault(name[1], value[1] if value else "")
        for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page.text,
                                  re.S):
            chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select[2])
            fields[select[1]] = chosen[1] if chosen else ""
        return fields


def launch_in_session():
    """The SMART launch every session holds (there is one browser per test)."""
    launches = [data["smart_launch"] for data in
                (s.get_decoded() for s in Session.objects.all()) if "smart_launch" in data]
    assert len(launches) <= 1
    return launches[0] if launches else None
