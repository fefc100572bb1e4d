"""Patient records stay with the clinician who made them, whatever roles a user holds.

Each role alone, every pair and all three walk every URL of the site (the admin's changelist,
add, change, history, delete and custom pages, the consultation pages, the API, CDS Hooks),
with path parameters naming another clinician's consultation, its decision and its prints, and
an API client's consultation. No response carries those patients' references, no page naming
their records answers 200, nothing answers 500, and no POST changes a record.
"""

import functools
import itertools
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from guidance.models import RuleSet
from guidance.services import default_ruleset_data, ruleset_create_draft, ruleset_import
from options.api.scopes import CONSULTATIONS_READ, SCOPES
from options.api.services import api_client_create
from options.cds_hooks.hooks import SERVICE_IDS
from options.cds_hooks.models import CdsCallAudit, ConsultationDraft
from options.consultation.decisions import decision_record, option_rule_codes
from options.consultation.models import Consultation, Decision
from options.consultation.services import consultation_create
from options.identity.roles import ROLES, roles_sync
from tests.builders import assessment, spine
from tests.identity.url_walk import endpoints, urls

# The references that must never reach anyone but their owner (NHS numbers, a FHIR id).
CLINICIAN_NHS = "9434765919"
API_NHS = "9434765870"
CDS_NHS = "4010232137"
CDS_FHIR_ID = "bonecare-matrix-patient-7f3a"
SECRETS = (CLINICIAN_NHS, API_NHS, CDS_NHS, CDS_FHIR_ID)
DECIDED_OPTION = "denosumab"
# Each role alone, every pair, all three: the combinations hospital sign-in can produce.
ROLE_SETS = [keys for size in (1, 2, 3) for keys in itertools.combinations(ROLES, size)]
IDENTIFIERS = {"patient_ref", "fhir_patient_id"}
# A draft from an EHR waiting to be opened in the form holds the NHS number in its JSON.
IN_JSON = {ConsultationDraft: "assessment__patient_ref"}
# Rows that only ever grow as a side effect of being asked (audits, counters, sessions).
AUDITS = {"options.evaluationaudit", "api.apicallaudit", "cds_hooks.cdscallaudit",
          "smart.smartlaunch"}
SIGN_OUT = ("/admin/logout/", "/accounts/logout/")


@functools.cache
def patient_models():
    """Every model whose rows name a patient, or belong to a row that does."""
    found = {m for m in apps.get_models() if IDENTIFIERS & {f.name for f in m._meta.fields}}
    found |= set(IN_JSON)
    while True:
        more = {m for m in apps.get_models() if m not in found and any(
            f.many_to_one or f.one_to_one for f in m._meta.fields
            if f.related_model in found)}
        if not more:
            return frozenset(found)
        found |= more


def rows_of(model, consultations):
    """Return the pks of the model's rows that belong to the given consultations' patients."""
    fields = {f.name: f for f in model._meta.fields}
    if model is Consultation:
        return [c.pk for c in consultations]
    if model in IN_JSON:
        found = model.objects.filter(**{f"{IN_JSON[model]}__in": SECRETS})
        return sorted(found.values_list("pk", flat=True))
    if IDENTIFIERS & set(fields):
        name = next(iter(sorted(IDENTIFIERS & set(fields))))
        found = model.objects.filter(**{f"{name}__in": SECRETS})
        return sorted(found.values_list("pk", flat=True))
    pks = []
    for field in fields.values():
        if (field.many_to_one or field.one_to_one) and field.related_model in patient_models():
            owners = rows_of(field.related_model, consultations)
            pks += model.objects.filter(**{f"{field.name}__in": owners}).values_list(
                "pk", flat=True)
    return sorted(set(pks))


def user_holding(django_user_model, username, keys):
    """A user in the roles' groups, admin staff when one of them is, as sign-in makes them."""
    user = django_user_model.objects.create_user(
        username=username, password="not-used",
        is_staff=any(ROLES[key].is_staff for key in keys))
    user.groups.add(*Group.objects.filter(name__in=[ROLES[key].group for key in keys]))
    return user


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One published ruleset, an owner's consultation with a decision, an API client's
    consultation, a CDS Hooks audit row, and the seven role combinations; built once."""
    with django_db_blocker.unblock(), transaction.atomic():
        roles_sync(group_model=Group, permission_model=Permission)
        published = ruleset_import(data=default_ruleset_data(), publish_if_none=True)
        User = get_user_model()
        owner = user_holding(User, "dr_owner", ["clinician"])
        mine = consultation_create(
            data=assessment("breast", lesions=[spine()], patient_ref=CLINICIAN_NHS),
            channel="form", by=owner)
        decision = decision_record(
            source="result_page", outcome="not_going_ahead", option=DECIDED_OPTION,
            rule_codes=option_rule_codes(mine.result, DECIDED_OPTION),
            ruleset_version=mine.ruleset_version, consultation=mine, by=owner)
        _, token = api_client_create(name="Matrix EHR", scopes=SCOPES)
        http = APIClient()
        http.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        stored = http.post("/api/v1/consultations",
                           assessment("prostate", patient_ref=API_NHS), format="json")
        assert stored.status_code == 201, stored.content
        theirs = Consultation.objects.get(pk=stored.json()["id"])
        CdsCallAudit.objects.create(service=SERVICE_IDS[0], hook="patient-view",
                                    fhir_patient_id=CDS_FHIR_ID, patient_ref=CDS_NHS,
                                    status_code=200, outcome="ok")
        now = timezone.now()
        ConsultationDraft.objects.create(
            key="matrix-draft", assessment=assessment("lung", patient_ref=CDS_NHS),
            created_at=now, expires_at=now + timedelta(hours=1))
        draft = ruleset_create_draft(source=published, by=None)
        users = {keys: user_holding(User, "as_" + "_".join(keys), keys) for keys in ROLE_SETS}
        yield {"owner": owner, "consultations": [mine, theirs], "decision": decision,
               "ehr_token": token, "users": users, "draft": draft}
        transaction.set_rollback(True)


def parameter_values(world):
    """Return values(name, endpoint): what each path parameter is filled with, and whether
    the value names a patient's record. Outside the admin's own models, a parameter this does
    not know is filled with the consultations' ids and judged as naming them: whoever adds a
    page that takes something else says here what."""
    consultations = world["consultations"]
    records = {m: rows_of(m, consultations) for m in patient_models()}
    decision = world["decision"]
    content_types = [ContentType.objects.get_for_model(m).pk for m in (Consultation, Decision)]
    others = {
        "option": [(DECIDED_OPTION, False)],
        "code": [(code, False) for code in decision.rule_codes[:1]],
        "service_id": [(service, False) for service in SERVICE_IDS],
        "history_id": [("1", False)],
        "url": [("no-such-page/", False)],
        "wildcard": [("no/such/page", False)],
        "content_type_id": [(pk, True) for pk in content_types],
    }

    def values(name, endpoint):
        if name in others:
            return others[name]
        if endpoint.model in records:  # an admin page of a patient model
            return [(pk, True) for pk in records[endpoint.model]] or [(0, True)]
        if endpoint.model is None:  # the pages, the API, the admin's "view on site"
            pks = {c.pk for c in consultations}
            if "content_type_id" in "".join(endpoint.pieces):
                pks.add(decision.pk)
            return [(pk, True) for pk in sorted(pks)]
        if endpoint.model is RuleSet:  # a draft, whose impact page reads consultations
            return [(world["draft"].pk, False)]
        return [(consultations[0].pk, False)]

    return values


def site_urls(world):
    """Every concrete URL of the site, sign-out last so the walk stays signed in."""
    walked = list(urls(parameter_values(world)))
    return sorted(walked, key=lambda url: url.path in SIGN_OUT)


def with_queries(url, world):
    """The URL's path, and the queries that could reach a patient through it, each with
    whether it names a record: the new consultation form started from another's consultation,
    a patient changelist's search for the NHS number, and the admin's autocomplete for every
    field that points at a record (a search oracle even where no identifier is shown)."""
    found = [(url.path, url.names_record)]
    name = url.endpoint.name or ""
    if name == "consultation-new":
        found += [(f"{url.path}?from={c.pk}", True) for c in world["consultations"]]
    if url.endpoint.model in patient_models() and name.endswith("_changelist"):
        found.append((f"{url.path}?q={CLINICIAN_NHS}", True))
    if name == "autocomplete":
        found += [(f"{url.path}?app_label={m._meta.app_label}&model_name={m._meta.model_name}"
                   f"&field_name={f.name}&term={CLINICIAN_NHS[:3]}", True)
                  for m in admin.site._registry for f in m._meta.fields
                  if f.related_model in patient_models()]
    return found


def records_now():
    """Every patient row as it stands: {model label: {pk: values}}."""
    return {m._meta.label_lower: {row["id"]: row for row in m.objects.values()}
            for m in patient_models()}


def changed_records(before, after):
    """Name each patient row a walk changed, removed, or (outside the audits) added."""
    changes = []
    for label, rows in before.items():
        now = after[label]
        changes += [f"{label} {pk} changed or removed" for pk, row in rows.items()
                    if now.get(pk) != row]
        if label not in AUDITS:
            changes += [f"{label} {pk} added" for pk in set(now) - set(rows)]
    return changes


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def walk(client, world, *, methods=("get", "post")):
    """Ask every URL (with its queries) and POST to it; return what went wrong, one line each.

    A page of a patient model, a path naming a record, or a search for one, answers no 200.
    """
    problems, records = [], patient_models()
    for url in site_urls(world):
        asked = [(path, names_record, "get") for path, names_record in with_queries(url, world)
                 if "get" in methods]
        if "post" in methods:  # a body, never a query, says what a POST is about
            asked.append((url.path, url.names_record, "post"))
        for path, names_record, method in asked:
            response = (client.post(path, {"post": "yes"}) if method == "post"
                        else client.get(path))
            where = f"{method.upper()} {path} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: server error")
            leaked = [s for s in SECRETS if s.encode() in body(response)]
            if leaked:
                problems.append(f"{where}: shows {', '.join(leaked)}")
            if response.status_code == 200 and (names_record or url.endpoint.model in records):
                problems.append(f"{where}: answers 200 for a patient's record")
    return problems


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("keys", ROLE_SETS, ids=["+".join(keys) for keys in ROLE_SETS])
def test_no_role_combination_reaches_anothers_patient_record(world, keys):
    client = Client()
    client.force_login(world["users"][keys])
    before = records_now()
    problems = walk(client, world)
    problems += changed_records(before, records_now())
    assert not problems, "\n".join(problems)


def test_staff_holding_every_permission_sees_no_patient_record_in_the_admin(
        world, django_user_model):
    """Re-registering a ModelAdmin for consultations, or a view permission, fails here."""
    hoarder = django_user_model.objects.create_user(username="hoarder", is_staff=True)
    hoarder.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(hoarder)
    problems = walk(client, world, methods=("get",))
    assert not problems, "\n".join(problems)


def test_no_role_holds_a_permission_on_a_patient_record():
    """Adding a view permission back to a role fails here, admin or not."""
    for role in ROLES.values():
        pairs = [name.split(".", 1) for name in role.permissions]
        held = [f"{app}.{codename}" for app, codename in pairs
                if Permission.objects.get(content_type__app_label=app, codename=codename)
                .content_type.model_class() in patient_models()]
        assert not held, f"{role.key} holds {held}"


def test_the_walk_reaches_every_url_of_the_site(world):
    """Each pattern gets a path that resolves to it, or to a pattern before it that shadows it
    (bonecare/urls.py's sign-in pages in front of the admin's own)."""
    order = {}
    for index, endpoint in enumerate(endpoints()):
        order.setdefault(endpoint.callback, index)  # sign_out serves two paths
    walked = site_urls(world)
    assert {url.endpoint for url in walked} == set(endpoints())
    for url in walked:
        found = order[resolve(url.path).func]
        assert found <= order[url.endpoint.callback], url.path


def test_the_owner_sees_their_consultation_its_prints_and_decision(world):
    mine = world["consultations"][0]
    client = Client()
    client.force_login(world["owner"])
    for path in (f"/consultations/{mine.pk}/", f"/consultations/{mine.pk}/print/clinician/",
                 f"/consultations/{mine.pk}/print/patient/"):
        assert client.get(path).status_code == 200, path
    detail = client.get(f"/consultations/{mine.pk}/").content.decode()
    assert CLINICIAN_NHS in detail and "Not going ahead" in detail
    assert CLINICIAN_NHS in client.get("/consultations/").content.decode()


def test_a_clinician_holding_every_role_keeps_their_own_records_on_the_pages(world):
    user = world["users"][tuple(ROLES)]
    own = consultation_create(data=assessment("myeloma", patient_ref="MATRIX-OWN-1"),
                              channel="form", by=user)
    client = Client()
    client.force_login(user)
    for path in (f"/consultations/{own.pk}/", f"/consultations/{own.pk}/print/clinician/",
                 f"/consultations/{own.pk}/print/patient/", f"/consultations/new/?from={own.pk}"):
        assert client.get(path).status_code == 200, path
    assert b"MATRIX-OWN-1" in client.get(f"/consultations/{own.pk}/").content
    content_type = ContentType.objects.get_for_model(Consultation).pk
    for path in ("/admin/", "/admin/options/", f"/admin/r/{content_type}/{own.pk}/"):
        assert b"MATRIX-OWN-1" not in client.get(path).content, path


def test_an_api_client_sees_its_own_consultation_and_no_other(world):
    theirs = world["consultations"][1]
    owner = APIClient()
    owner.credentials(HTTP_AUTHORIZATION=f"Token {world['ehr_token']}")
    assert owner.get(f"/api/v1/consultations/{theirs.pk}").json()["patient_ref"] == API_NHS
    _, token = api_client_create(name="Another EHR", scopes=[CONSULTATIONS_READ])
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for path in [f"/api/v1/consultations/{c.pk}" for c in world["consultations"]] + [
            "/api/v1/consultations", f"/api/v1/consultations?patient_ref={API_NHS}"]:
        response = other.get(path)
        assert response.status_code in (200, 404), path
        assert API_NHS.encode() not in response.content and CLINICIAN_NHS.encode() not in (
            response.content)


def test_a_superuser_alone_reads_the_audits_that_name_patients(world, admin_client):
    audit = CdsCallAudit.objects.get(patient_ref=CDS_NHS)
    response = admin_client.get(f"/admin/cds_hooks/cdscallaudit/{audit.pk}/change/")
    assert response.status_code == 200 and CDS_NHS.encode() in response.content
