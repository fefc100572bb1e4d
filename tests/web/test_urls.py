def test_healthz_says_alive_without_login(anonymous_client):
    response = anonymous_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_admin_asks_anonymous_visitors_to_log_in(anonymous_client):
    response = anonymous_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_guidance_editor_can_open_the_rules_admin(guidance_editor_client):
    assert guidance_editor_client.get("/admin/guidance/rule/").status_code == 200


def test_clinician_cannot_open_the_admin(clinician_client):
    assert clinician_client.get("/admin/").status_code == 302
