"""A NUL byte in a query parameter, a posted form or the path never answers a 500.

PostgreSQL refuses NUL in any text, so one that reached a filter answered a 500 (the
certification matching queue did). Tried here on every page of every app, with every filter
its GET forms show and every parameter the code reads from `request.GET`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "establishments", "campaigns", "progression", "remediation",
        "certification", "reports", "jobs", "pixorga"]
FRENCH = "contient un caractère invalide (octet nul)"


def parameters_read_by_the_code() -> set[str]:
    """Every name read from request.GET in the project's code (found, not listed by hand)."""
    pattern = re.compile(r"request\.GET(?:\.get|\.getlist)?\(?\[?\"([A-Za-z_]+)\"")
    names = set()
    for app in APPS:
        for source in (ROOT / app).rglob("*.py"):
            names.update(pattern.findall(source.read_text()))
    return names


def get_form_fields(html: str) -> set[str]:
    names = set()
    for form in re.findall(r'<form[^>]*method="get"[^>]*>(.*?)</form>', html, re.S | re.I):
        names.update(re.findall(r'name="([^"]+)"', form))
    return names


def project_url_names(resolver=None, namespace: str = "") -> list[tuple[str, list[str]]]:
    """(name, argument names) of every named URL of the project's own apps."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or "allauth" in str(entry.urlconf_name):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += project_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((namespace + entry.name, list(entry.pattern.converters)))
    return found


def test_the_code_reads_the_filters_this_test_tries():
    # Guards the scan below: if it found nothing, the test over every page would prove nothing.
    assert {"page", "classe", "niveau", "q"} <= parameters_read_by_the_code()


@pytest.mark.parametrize("role", ["rupn", "teacher"])
def test_a_nul_byte_in_any_filter_of_any_page_is_a_clear_400(client, world, role):
    client.force_login(world.member(role))
    code_names = parameters_read_by_the_code()
    ids = {"pupil_id": world.pupil.pk, "class_id": world.taught_class.pk,
           "start_year": world.establishment.current_year.start_year, "token": "x", "step": "x"}
    tried = with_forms = 0
    for name, arguments in project_url_names():
        url = reverse(name, kwargs={a: ids.get(a, 1) for a in arguments})
        page = client.get(url)
        assert page.status_code != 500, url
        fields = get_form_fields(page.content.decode(errors="replace")) if (
            page.status_code == 200 and "html" in page.get("Content-Type", "")) else set()
        with_forms += bool(fields)
        for field in sorted(fields | code_names):
            response = client.get(url, {field: "5A\x00"})
            assert response.status_code == 400, (url, field, response.status_code)
            assert FRENCH in response.content.decode(), (url, field)
            tried += 1
        assert client.get(url, {"x\x00": "1"}).status_code == 400, url  # in a name too
    assert with_forms >= 5  # pupils, campaigns, progression, remediation, certification
    assert tried > 100


def test_the_certification_matching_queue_with_a_nul_byte(client, world):
    client.force_login(world.rupn)
    url = reverse("certification:results_queue")
    assert client.get(url).status_code == 200

    response = client.get(url + "?page=1%00")

    assert response.status_code == 400
    assert FRENCH in response.content.decode()
    assert "Erreur 400" in response.content.decode()  # the site's error page, with the way back
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_byte_in_the_path_or_a_posted_form_is_a_400(client, world):
    assert client.get("/invitation/abc%00def/").status_code == 400
    client.force_login(world.rupn)
    response = client.post(reverse("team:invite"),
                           "email=a%00%40b.fr&first_name=A&last_name=B&role=teacher",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_ordinary_filters_still_work(client, world):
    client.force_login(world.rupn)
    response = client.get(reverse("pupils:list"), {"classe": "5A", "q": "é’«»"})
    assert response.status_code == 200
