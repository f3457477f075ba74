"""Nothing leaves the server: every page carries a Content-Security-Policy that lets scripts,
images and everything else come from this site alone, a Referrer-Policy and a
Permissions-Policy; no template holds an inline script, an inline event handler (which the
policy would refuse) or an address on another host; a chart is JSON for static/js/charts.js.

The browser's side of it is tests/e2e/test_nothing_leaves_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(
    path for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    if ".venv" not in path.parts
)
OUR_SCRIPTS = sorted([*ROOT.glob("static/js/*.js"), *ROOT.glob("*/static/**/*.js")])


def _policy(response) -> dict[str, list[str]]:
    directives = [d.split() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize("role", ["anonymous", "rupn", "teacher", "pupil"])
def test_every_page_carries_the_three_policies(client, world, login, role):
    # Given a visitor, or a member of each kind
    if role != "anonymous":
        login(world.member(role))

    # When they open their home page and the login page
    for path in ("/", "/accounts/login/"):
        response = client.get(path, follow=True)

        # Then the response holds the site to itself
        assert response.status_code == 200, path
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]  # no unsafe-inline, no unsafe-eval
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert set(policy["img-src"]) == {"'self'", "data:", "blob:"}
        assert set(policy["style-src"]) == {"'self'", "'unsafe-inline'"}
        assert not any("eval" in source for sources in policy.values() for source in sources)
        assert response["Referrer-Policy"] == "same-origin"
        features = dict(f.strip().split("=") for f in response["Permissions-Policy"].split(","))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb",
                        "browsing-topics", "interest-cohort"):
            assert features[feature] == "()", feature


def test_the_admin_carries_the_policy_too(client, db):
    from django.contrib.auth import get_user_model

    # The admin's login sends to the site's (same throttle), which carries the policy
    assert _policy(client.get("/admin/login/"))["script-src"] == ["'self'"]
    admin = get_user_model().objects.create_superuser("admin", "admin@pixorga.test", "x-Pw-9q!")
    client.force_login(admin)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert _policy(response)["script-src"] == ["'self'"]


def test_the_templates_are_all_scanned():
    """The scan below would pass on nothing: it must see the templates that once held inline
    code."""
    names = {path.relative_to(ROOT).as_posix() for path in TEMPLATES}
    assert {"templates/base.html", "templates/progression/objective_form.html",
            "templates/establishments/login_cards.html"} <= names
    assert len(TEMPLATES) > 100


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_template_holds_inline_code_or_another_host(path):
    text = path.read_text(encoding="utf-8")

    scripts = re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE)
    inline = [tag for tag in scripts
              if "src=" not in tag and 'type="application/json"' not in tag]
    assert inline == [], "move the script to static/js/ (data: the json_script filter)"

    handlers = re.findall(r"<[^>]*\son[a-z]+\s*=", text, flags=re.IGNORECASE)
    assert handlers == [], "use an addEventListener in static/js/ (page-actions.js)"

    assert re.findall(r"javascript:", text, flags=re.IGNORECASE) == []
    text = re.sub(r'xmlns(?::\w+)?="http://www\.w3\.org/[^"]*"', "", text)  # names, not requests
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, flags=re.IGNORECASE) == []


@pytest.mark.parametrize("path", OUR_SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_our_scripts_name_no_other_host(path):
    assert re.findall(r"https?://", path.read_text(encoding="utf-8")) == []


def test_a_chart_is_a_json_figure_for_the_static_script():
    from campaigns.charts import CompetenceRow, mastery_chart

    rows = [CompetenceRow(code="1.1", name="Mener une recherche", domain="1", count=3,
                          mean_mastery=0.5)]

    html = mastery_chart(rows, axis_label="Maîtrise")

    match = re.fullmatch(
        r'<div class="plotly-graph-div js-chart" style="[^"]*" data-filename="([a-z-]+)">'
        r'<script id="(figure-[a-z0-9-]+)" type="application/json">(.*)</script></div>', html)
    assert match, html[:300]
    filename, element_id, payload = match.groups()
    assert filename == "pixorga-maitrise-par-competence"
    assert element_id.startswith(f"figure-{filename}-")
    figure = json.loads(payload)
    # data and layout only: how the mode bar behaves is static/js/charts.js's alone
    assert set(figure) == {"data", "layout"}
    assert figure["layout"]["separators"] == ",\u202f"
