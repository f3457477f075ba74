"""Nothing leaves the server, seen by a real browser: every role's main pages (charts drawn from
real imports) request nothing from another host, break no rule of the Content-Security-Policy
and raise no script error; a chart's mode bar offers only the PNG download, zoom and reset, in
French, and no way to Plotly's cloud."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from campaigns.models import Campaign, ResultSummary, Sending
from demo.builder import DEMO_PASSWORD, DEMO_UAI, build_demo
from establishments.models import Establishment, Membership, Pupil
from progression.models import Objective
from progression.services import objectives_apply_templates
from tests.certification.results_world import (
    candidates_of,
    files_of,
    generated_rows,
    import_files,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUPN = "rupn@demo.pixorga.fr"
PRINCIPAL = "principal@demo.pixorga.fr"
TEACHER = "prof1@demo.pixorga.fr"
PUPIL = "eleve.graphique"
# The mode bar a chart keeps, by its French titles (static/js/charts.js).
PNG = "Télécharger le graphique (PNG)"
KEPT = {PNG, "Zoomer sur une zone", "Zoom avant", "Zoom arrière", "Revenir à la vue d’origine"}
# Links that download a file or act rather than show a page.
NOT_PAGES = (".csv", ".pdf", ".xlsx", ".ics", ".zip", "/logout/", "/i18n/")


class Watcher:
    """Records what a page does that it must not: a request to another host, a breach of the
    Content-Security-Policy (Chromium's "Refused to …" messages and the page's
    `securitypolicyviolation` events), a script error."""

    def __init__(self, page, origin: str) -> None:
        self.origin = origin
        self.requests = 0
        self.problems: list[str] = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))
        # Run by the browser before the page's own scripts, outside the page's policy.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', function (e) {"
            " console.error('securitypolicyviolation: ' + e.violatedDirective + ' '"
            " + e.blockedURI); });"
        )
        self.page = page

    def _request(self, request) -> None:
        self.requests += 1
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob"):
            return  # made in the page, from the page: nothing goes out
        if f"{url.scheme}://{url.netloc}" != self.origin:
            self.problems.append(f"{self.page.url} requested {request.url}")

    def _console(self, message) -> None:
        if message.type not in ("error", "warning"):
            return
        text = message.text
        if "favicon.ico" in (message.location or {}).get("url", ""):
            return  # the browser's own guess at an icon, on this host: no page asked for it
        if message.type == "error" or "Content Security Policy" in text or "Refused" in text:
            self.problems.append(f"{self.page.url}: console {message.type}: {text}")


@pytest.fixture
def school():
    """A small demo collège with campaign results of both years, progression objectives and
    the 3e's certification results: every chart of the site has something to draw."""
    build_demo(classes_per_grade=1, pupils_per_class=8, teachers=2)
    establishment = Establishment.objects.get(uai=DEMO_UAI)
    rupn = get_user_model().objects.get(username=RUPN)
    objectives_apply_templates(establishment=establishment,
                               school_year=establishment.current_year, by=rupn)
    import_files(establishment, files_of(
        {"3A": generated_rows(candidates_of(establishment, "3A"), seed=2)}))
    # A pupil whose levels are known (the demo's own pupil login may have sent nothing).
    pupil = Sending.objects.filter(
        is_result=True, participant__campaign__kind=Campaign.Kind.PROFILES_COLLECTION,
        participant__pupil__isnull=False, participant__pupil__user__isnull=True,
    ).order_by("pk").first().participant.pupil
    user = get_user_model()(username=PUPIL, first_name=pupil.first_name,
                            last_name=pupil.display_last_name)
    user.set_password(DEMO_PASSWORD)
    user.save()
    pupil.user = user
    pupil.save(update_fields=["user"])
    Membership.objects.create(user=user, establishment=establishment,
                              role=Membership.Role.PUPIL)
    return establishment


@pytest.fixture
def watcher(page, live_server):
    return Watcher(page, live_server.url)


def _visit(page, watcher: Watcher, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    if page.locator(".js-chart").count():
        # every chart drawn by static/js/charts.js, none left as JSON
        expect(page.locator(".js-chart script")).to_have_count(0)
        expect(page.locator(".js-chart .main-svg").first).to_be_visible()


def _menu_pages(page, live_server) -> list[str]:
    hrefs = page.locator("header a[href]").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))")
    return [live_server.url + href for href in dict.fromkeys(hrefs)
            if href.startswith("/") and not href.endswith(NOT_PAGES)]


def _chart_pages(establishment: Establishment, username: str) -> list[str]:
    """The pages that draw charts, as far as the role may see them."""
    membership = Membership.objects.get(user__username=username, establishment=establishment)
    if membership.role == Membership.Role.PUPIL:
        return ["/"]
    with_results = set(ResultSummary.objects.values_list("campaign", flat=True))
    campaigns = [c.pk for c in Campaign.objects.for_membership(membership).order_by("pk")
                 if c.pk in with_results]
    pupil = Pupil.objects.for_membership(membership).order_by("pk").first()
    pages = [f"/campagnes/{campaigns[0]}/resultats/", f"/campagnes/{campaigns[-1]}/resultats/",
             f"/eleves/{pupil.pk}/", "/progression/"]
    if membership.sees_whole_establishment:
        pages += ["/progression/comparaison/", "/certification/analyse/"]
    return pages


@pytest.mark.parametrize("username", [RUPN, PRINCIPAL, TEACHER, PUPIL])
def test_no_page_of_a_role_reaches_another_host_or_breaks_the_policy(
        page, live_server, log_in, school, watcher, username):
    # Given a member of the demo collège, logged in through the real form
    log_in(username, DEMO_PASSWORD)
    expect(page.locator("#nav-main")).to_be_attached()

    # When they open every page of their menu and every page that draws charts
    pages = _menu_pages(page, live_server)
    pages += [live_server.url + path for path in _chart_pages(school, username)]
    charts = 0
    for url in dict.fromkeys(pages):
        _visit(page, watcher, url)
        charts += page.locator(".js-plotly-plot").count()

    # Then nothing was asked of another host, nothing was refused, no script failed
    assert watcher.problems == []
    assert watcher.requests > len(pages)  # the watcher did see the pages' requests
    assert charts >= 1


def test_sign_in_pages_and_the_admin_keep_to_the_policy(page, live_server, log_in, school,
                                                       watcher):
    # Given the pages a visitor sees before signing in, and a new user's first password
    for path in ("/accounts/login/", "/accounts/password/reset/",
                 "/accounts/password/reset/done/"):
        _visit(page, watcher, live_server.url + path)
    newcomer = get_user_model().objects.get(username=PUPIL)
    newcomer.must_change_password = True
    newcomer.save(update_fields=["must_change_password"])
    log_in(PUPIL, DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/compte/premier-mot-de-passe/")
    _visit(page, watcher, f"{live_server.url}/compte/premier-mot-de-passe/")
    page.context.clear_cookies()

    # When a superuser signs in and goes through Django's admin
    get_user_model().objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    log_in("admin", DEMO_PASSWORD)
    for path in ("/accounts/password/change/", "/accounts/logout/", "/admin/",
                 "/admin/progression/objective/",
                 f"/admin/progression/objective/{Objective.objects.first().pk}/change/",
                 "/admin/auth/group/add/", "/admin/certification/candidate/"):
        _visit(page, watcher, live_server.url + path)

    # Then none of them breaks the policy or reaches another host
    assert watcher.problems == []


def test_a_chart_offers_only_png_zoom_and_reset_in_french(page, live_server, log_in, school,
                                                         watcher, artifacts):
    campaign = Campaign.objects.filter(summaries__isnull=False).order_by("pk").first()

    # Given the RUPN on a campaign's results
    log_in(RUPN, DEMO_PASSWORD)
    _visit(page, watcher, f"{live_server.url}/campagnes/{campaign.pk}/resultats/")
    chart = page.locator(".js-plotly-plot").first

    # When they point at a chart
    chart.hover()
    modebar = chart.locator(".modebar")
    expect(modebar).to_be_visible()

    # Then its mode bar offers the PNG download, zoom and reset, named in French, and nothing
    # that leads away: no cloud, no edit, no link, no logo
    titles = set(chart.locator(".modebar-btn").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('data-title'))"))
    assert PNG in titles and titles <= KEPT, titles
    assert "Revenir à la vue d’origine" in titles
    assert chart.locator("a[href]").count() == 0  # Plotly's logo links to its site
    names = chart.locator(".modebar-btn").evaluate_all(
        "buttons => buttons.map(b => `${b.dataset.attr}:${b.dataset.val}`)")
    assert not any("cloud" in n.lower() or "edit" in n.lower() for n in names), names
    for size, viewport in {"desktop": {"width": 1366, "height": 900},
                           "phone": {"width": 390, "height": 844}}.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(700)  # a responsive chart redraws a moment after the resize
        chart.scroll_into_view_if_needed()
        chart.locator(f".modebar-btn[data-title='{PNG}']").hover()  # shows its title
        page.wait_for_timeout(400)  # the mode bar fades in
        page.screenshot(path=str(artifacts / f"chart-modebar-{size}.png"))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.wait_for_timeout(700)

    # And the PNG is made in the page and saved under a name that says what it shows
    chart.hover()
    with page.expect_download() as download:
        chart.locator(f".modebar-btn[data-title='{PNG}']").click()
    name = chart.get_attribute("data-filename")
    assert name.startswith("pixorga-") and download.value.suggested_filename == f"{name}.png"
    assert watcher.problems == []
