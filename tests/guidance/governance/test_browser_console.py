"""In a real browser, the rules console looks finished to each person who uses it: axe finds
nothing on its main pages and its error pages, as a guidance editor and as a clinical safety
officer (and the site's error pages as a clinician); the status marks are drawn, not glyphs
a font may lack; at 1280x800 and 1024x768 the action buttons never cover the ruleset's name
and no page scrolls sideways. Screenshots go to /tmp/ui-shots/ (or BONECARE_SHOTS_DIR).
"""

import pytest

from tests.browser import (
    BROWSER_TESTS,
    PASSWORD,
    assert_accessible,
    expect,
    local_context,
    sign_in,
)
from tests.guidance.governance.test_browser_governance import admin_sign_in, person, shoot

pytestmark = BROWSER_TESTS

SIZES = [(1280, 800), (1024, 768)]


@pytest.fixture
def world(transactional_db, published_ruleset, guidance_editor, safety_officer, clinician,
          treatment_options):
    from tests.guidance.governance.console_world import console_world

    return console_world(published=published_ruleset, editor=guidance_editor,
                         officer=safety_officer, clinician=clinician)


def console_pages(world):
    """The pages axe reads, by what they are."""
    from guidance.models import Rule

    draft, waiting = world["draft"], world["waiting"]
    rule = Rule.objects.get(ruleset=draft, code="DEF-HYPOCALCAEMIA")
    return {
        "index": "/admin/",
        "ruleset-list": "/admin/guidance/ruleset/",
        "ruleset-draft": f"/admin/guidance/ruleset/{draft.pk}/change/",
        "ruleset-waiting": f"/admin/guidance/ruleset/{waiting.pk}/change/",
        "rule": f"/admin/guidance/rule/{rule.pk}/change/",
        "review": f"/admin/guidance/ruleset/{waiting.pk}/review/",
        "publications": "/admin/guidance/ruleset/publications/",
        "audit": "/admin/guidance/governanceevent/",
        "403": "/admin/auth/user/",
        "404": "/admin/guidance/ruleset/999999/change/",
    }


@pytest.mark.parametrize("who", ["guidance_editor", "safety_officer"])
def test_axe_finds_nothing_on_the_consoles_pages(request, browser, live_server, world, who):
    user = request.getfixturevalue(who)
    context, page = person(user, browser, live_server)
    admin_sign_in(page, user.username)
    for name, address in console_pages(world).items():
        response = page.goto(address)
        assert response.status == {"403": 403, "404": 404}.get(name, 200), address
        shoot(page, f"console-{who}-{name}")
        assert_accessible(page)
    expect(page.locator("h1")).to_have_text("Page not found")
    context.close()


@pytest.mark.parametrize("address, status, heading", [
    ("/consultations/no-such-page/", 404, "Page not found"),
    ("/admin/guidance/ruleset/", 403, "The rules console is for guidance editors and clinical "
                                      "safety officers"),
])
def test_axe_finds_nothing_on_the_sites_error_pages(browser, live_server, world, clinician,
                                                    address, status, heading):
    context, page = person(clinician, browser, live_server)
    sign_in(page, clinician.username)
    assert page.goto(address).status == status
    expect(page.locator("h1")).to_have_text(heading)
    shoot(page, f"site-{status}")
    assert_accessible(page)
    context.close()


def test_a_stranger_gets_the_sites_404_with_a_way_to_sign_in(browser, live_server, world):
    context = local_context(browser, live_server, width=1280, height=800)
    page = context.new_page()
    assert page.goto("/no-such-page/").status == 404
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert_accessible(page)
    context.close()


def test_every_status_mark_is_drawn_beside_its_word(browser, live_server, world,
                                                   safety_officer):
    context, page = person(safety_officer, browser, live_server)
    admin_sign_in(page, safety_officer.username)
    page.goto("/admin/guidance/ruleset/")
    page.wait_for_load_state("networkidle")
    states = page.locator("#result_list .state")
    assert states.count() == 4  # published, retired, in review, draft (discarded hidden)
    for state in states.all():
        size = state.locator("svg.mark use").evaluate("u => [u.getBBox().width, "
                                                      "u.getBBox().height]")
        assert min(size) > 4, state.inner_text()  # the drawing arrived and has a size
        assert state.inner_text().strip() in {"Published", "Retired", "Submitted for review",
                                              "Draft"}
    assert not any(ch in page.locator("#content").inner_text() for ch in "\u231b\u23f3")
    context.close()


@pytest.mark.parametrize("width, height", SIZES, ids=["1280", "1024"])
def test_buttons_never_cover_the_title_and_no_page_scrolls_sideways(
        browser, live_server, world, guidance_editor, width, height):
    from guidance.models import Rule

    context = local_context(browser, live_server, width=width, height=height)
    guidance_editor.set_password(PASSWORD)
    guidance_editor.save()
    page = context.new_page()
    admin_sign_in(page, guidance_editor.username)
    draft = world["draft"]
    page.goto(f"/admin/guidance/ruleset/{draft.pk}/change/")
    tools = page.locator("#content .object-tools").bounding_box()
    for heading in page.locator("#content h1, #content h2").all()[:2]:
        box = heading.bounding_box()
        assert box["y"] + box["height"] <= tools["y"] or tools["y"] + tools["height"] <= box[
            "y"], heading.inner_text()
    shoot(page, f"layout-{width}-ruleset-draft")
    rule = Rule.objects.get(ruleset=draft, code="DEF-HYPOCALCAEMIA")
    for name, address in {"rules": f"/admin/guidance/rule/?ruleset__id__exact={draft.pk}",
                          "review": f"/admin/guidance/ruleset/{world['retired'].pk}/review/",
                          "impact": f"/admin/guidance/ruleset/{draft.pk}/impact/",
                          "rule-review": "/admin/guidance/rule/review/",
                          "publications": "/admin/guidance/ruleset/publications/",
                          "audit": "/admin/guidance/governanceevent/",
                          "rule-history": f"/admin/guidance/rule/{rule.pk}/history/"}.items():
        page.goto(address)
        sideways = page.evaluate("document.documentElement.scrollWidth - "
                                 "document.documentElement.clientWidth")
        assert sideways <= 0, f"{name} scrolls {sideways}px sideways at {width}px"
        shoot(page, f"layout-{width}-{name}")
    context.close()
