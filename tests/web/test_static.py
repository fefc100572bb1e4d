"""The pages load nothing from outside BoneCare."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders


def test_the_nhs_stylesheet_is_built_without_outside_fonts_and_with_local_icons():
    path = finders.find("build/nhsuk.css")
    assert path, "run `make static-deps` to build the NHS.UK stylesheet"
    css = Path(path).read_text()
    urls = set(re.findall(r"url\(([^)]*)\)", css))
    assert urls, "the stylesheet references its icons"
    outside = {u for u in urls if re.match(r"[\"']?(https?:)?//", u)}
    assert outside == set()
    for url in urls:
        name = url.strip("\"'").removeprefix("/static/")
        assert finders.find(name), f"{url} is not served"


def test_pages_link_the_built_stylesheet(client):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/build/nhsuk.css" in html
    assert "nhsuk-frontend.min.css" not in html
