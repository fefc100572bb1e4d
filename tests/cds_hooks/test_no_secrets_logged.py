"""Never log a JWT or an fhirAuthorization token, nor keep one in the audit (spec: trust)."""

import json
import logging

from options.cds_hooks.models import CdsCallAudit

from .helpers import PATIENT_VIEW, request_of, service_url

BEARER = "secret-fhir-bearer-token-0123456789"


def _post(client, token, body):
    url = service_url(PATIENT_VIEW)
    return client.post(url, data=json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_neither_token_reaches_the_logs_or_the_audit(client, cds_ehr, published_ruleset,
                                                     caplog):
    body = {**request_of("V01"), "fhirServer": "https://fhir.example-trust.nhs.uk",
            "fhirAuthorization": {"access_token": BEARER, "token_type": "Bearer",
                                  "expires_in": 300, "scope": "patient/*.read",
                                  "subject": "bonecare"}}
    url = service_url(PATIENT_VIEW)
    refused = cds_ehr.token("https://elsewhere.example/cds-services/x")  # wrong aud
    accepted = cds_ehr.token(url)
    with caplog.at_level(logging.DEBUG):
        assert _post(client, refused, body).status_code == 401
        assert _post(client, accepted, body).status_code == 200
        assert _post(client, accepted, body).status_code == 401  # the replay
    audit = json.dumps(list(CdsCallAudit.objects.values()), default=str)
    for secret in (refused, accepted, BEARER):
        assert secret not in caplog.text
        assert secret not in audit
        for part in secret.split(".")[1:]:  # nor the claims or signature on their own
            assert part not in caplog.text
