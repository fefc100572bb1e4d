"""The reference endpoints: options, guidance, the current ruleset, whoami."""

from django.core.management import call_command


def test_options_lists_the_five(ehr_client, published_ruleset):
    call_command("migrate", "options", verbosity=0)  # options rows come from a data migration
    body = ehr_client.get("/api/v1/options").json()
    assert [o["slug"] for o in body] == [
        "bisphosphonate", "denosumab", "cementoplasty", "vertebroplasty", "kyphoplasty"]


def test_guidance_shows_review_dates(ehr_client, published_ruleset):
    body = ehr_client.get("/api/v1/guidance").json()
    assert body
    assert {"code", "next_review_due", "last_reviewed", "review_overdue"} <= set(body[0])
    assert "TA265" in {d["code"] for d in body}


def test_current_ruleset(ehr_client, published_ruleset):
    body = ehr_client.get("/api/v1/rulesets/current").json()
    assert body["version"] == published_ruleset.version
    assert body["rule_count"] == published_ruleset.rules.count() > 0


def test_current_ruleset_without_one_published_is_503(ehr_client):
    assert ehr_client.get("/api/v1/rulesets/current").status_code == 503


def test_whoami(ehr_client):
    assert ehr_client.get("/api/v1/whoami").json() == {
        "name": "Test EHR",
        "scopes": ["evaluate", "consultations:read", "consultations:write"]}
