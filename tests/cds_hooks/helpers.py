"""Small builders for CDS Hooks tests: an EHR's key pair, its JWTs, hook requests."""

import copy
import json
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "options" / "cds_hooks" / "examples"
ISS = "https://ehr.example-trust.nhs.uk"
BASE = "http://testserver"
PATIENT_VIEW = "bonecare-patient-view"
ORDER_SELECT = "bonecare-order-select"
ORDER_SIGN = "bonecare-order-sign"


def example_files():
    """Return the project's copy of the shared CDS Hooks examples, sorted."""
    return sorted(EXAMPLES_DIR.glob("*.json"))


def example(name):
    """Return one example by id, e.g. 'V01'."""
    return json.loads((EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))


class Ehr:
    """An EHR's signing keys (EC P-256 "ec1", RSA "rsa1") and the JWT it sends."""

    def __init__(self, iss=ISS):
        self.iss = iss
        self.ec_key = ec.generate_private_key(ec.SECP256R1())
        self.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self):
        ec_public = json.loads(ECAlgorithm.to_jwk(self.ec_key.public_key()))
        rsa_public = json.loads(RSAAlgorithm.to_jwk(self.rsa_key.public_key()))
        return {"keys": [{**ec_public, "kid": "ec1", "use": "sig"},
                         {**rsa_public, "kid": "rsa1", "use": "sig"}]}

    def token(self, aud, *, alg="ES256", kid=None, key=None, **claims):
        now = int(time.time())
        payload = {"iss": self.iss, "aud": aud, "iat": now, "exp": now + 300,
                   "jti": str(uuid.uuid4()), **claims}
        payload = {k: v for k, v in payload.items() if v is not None}
        if key is None:
            key = self.ec_key if alg.startswith("ES") else self.rsa_key
        kid = kid or ("ec1" if alg.startswith("ES") else "rsa1")
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


def service_url(service_id, *, feedback=False):
    return f"{BASE}/cds-services/{service_id}" + ("/feedback" if feedback else "")


def call(http, ehr, service_id, body, **token_claims):
    """POST a hook call with a fresh JWT; return the response."""
    url = service_url(service_id)
    token = ehr.token(url, **token_claims)
    return http.post(url, data=json.dumps(body), content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {token}")


def request_of(name, *, hook="patient-view"):
    """Return an example's request, as another hook when asked."""
    request = copy.deepcopy(example(name)["request"])
    request["hook"] = hook
    return request


def medication_request(identifier, *, atc=None, text="", dose_mg=None, system=None,
                       code=None):
    coding = []
    if atc:
        coding.append({"system": "http://www.whocc.no/atc", "code": atc})
    if system:
        coding.append({"system": system, "code": code})
    resource = {"resourceType": "MedicationRequest", "id": identifier, "status": "draft",
                "intent": "order", "subject": {"reference": "Patient/p"},
                "medicationCodeableConcept": {"coding": coding, "text": text}}
    if dose_mg is not None:
        resource["dosageInstruction"] = [{"doseAndRate": [{"doseQuantity": {
            "value": dose_mg, "unit": "mg", "system": "http://unitsofmeasure.org",
            "code": "mg"}}]}]
    return resource


def service_request(identifier, *, text="", opcs=None):
    coding = [{"system": "https://fhir.nhs.uk/Id/opcs-4", "code": opcs}] if opcs else []
    return {"resourceType": "ServiceRequest", "id": identifier, "status": "draft",
            "intent": "order", "subject": {"reference": "Patient/p"},
            "code": {"coding": coding, "text": text}}


def order_request(name, orders, *, hook="order-sign", selections=None):
    """Return an example's request as an order hook with these draft orders."""
    request = request_of(name, hook=hook)
    request["context"]["draftOrders"] = {
        "resourceType": "Bundle", "type": "collection",
        "entry": [{"resource": order} for order in orders]}
    if hook == "order-select":
        request["context"]["selections"] = selections if selections is not None else [
            f"{o['resourceType']}/{o['id']}" for o in orders]
    return request


def bonecare(card):
    return card["extension"]["bonecare"]
