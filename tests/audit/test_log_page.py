"""The audit log's page: the establishment's RUPN and direction only, newest first, filtered by
action, member and dates, 50 a page, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from audit.views import PAGE_SIZE

Action = AuditEvent.Action
URL = reverse("audit:log")


def event(establishment, *, by=None, action=Action.DOWNLOAD, summary="Un export",
          at: datetime | None = None, **details) -> AuditEvent:
    recorded = audit_record(establishment=establishment, by=by, action=action, summary=summary,
                            details=details)
    if at is not None:
        AuditEvent.objects.filter(pk=recorded.pk).update(at=at)
        recorded.at = at
    return recorded


def local(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def listed(response) -> list[str]:
    return [e.summary for e in response.context["events"]]


# --- who may read it ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    ("rupn", 200), ("direction", 200), ("teacher", 403), ("pupil", 403), ("outsider", 200),
])
def test_only_the_rupn_and_direction_read_their_establishments_log(world, login, role, status):
    ours = event(world.establishment, by=world.rupn, summary="Export de chez nous")
    event(world.outsider_establishment, by=world.outsider, summary="Export d’ailleurs")

    response = login(world.member(role)).get(URL)

    assert response.status_code == status
    if role in ("rupn", "direction"):
        assert listed(response) == [ours.summary]
        assert "Export d’ailleurs" not in response.content.decode()
    if role == "outsider":  # another establishment's RUPN sees theirs, none of ours
        assert listed(response) == ["Export d’ailleurs"]
        assert "Export de chez nous" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_filtering_on_someone_of_another_establishment_shows_nothing_of_theirs(world, login):
    event(world.outsider_establishment, by=world.outsider, summary="Export d’ailleurs")

    response = login(world.rupn).get(URL, {"membre": world.outsider.pk})

    assert listed(response) == []
    assert response.context["form"].errors["membre"]  # not a choice: never in our log


@pytest.mark.parametrize("role", ["rupn", "direction"])
def test_the_menu_links_to_the_log_for_the_rupn_and_direction(world, login, role):
    page = login(world.member(role)).get(reverse("home")).content.decode()
    assert f'href="{URL}"' in page


@pytest.mark.parametrize("role", ["teacher", "pupil"])
def test_the_menu_has_no_link_for_others(world, login, role):
    page = login(world.member(role)).get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in page


# --- what it shows ------------------------------------------------------------------------------


def test_newest_first_with_actor_action_and_file(world, login):
    today = timezone.localdate()
    event(world.establishment, by=world.rupn, summary="Le plus ancien",
          at=local(today - timedelta(days=2)))
    event(world.establishment, by=None, action=Action.IMPORT, summary="Import par commande",
          at=local(today - timedelta(days=1)))
    event(world.establishment, by=world.direction, summary="Le plus récent", filename="b.pdf")

    response = login(world.direction).get(URL)
    html = response.content.decode()

    assert listed(response) == ["Le plus récent", "Import par commande", "Le plus ancien"]
    assert "Direction@Test.Fr Test" in html and "b.pdf" in html
    assert "pixorga (traitements, commandes)" in html  # the platform, when nobody acted
    assert "Import" in html and "Téléchargement" in html
    assert "365 jours" in html  # how long the log keeps an event


def test_the_name_stays_when_the_account_is_deleted(world, login):
    event(world.establishment, by=world.other_teacher, summary="Export d’un collègue parti")
    world.other_teacher.delete()

    html = login(world.rupn).get(URL).content.decode()

    assert "Prof2@Test.Fr Test" in html and "Export d’un collègue parti" in html


def test_filter_by_action(world, login):
    event(world.establishment, action=Action.DOWNLOAD, summary="Un téléchargement")
    event(world.establishment, action=Action.ROLE_CHANGE, summary="Un rôle")

    response = login(world.rupn).get(URL, {"action": Action.ROLE_CHANGE})

    assert listed(response) == ["Un rôle"]


def test_filter_by_member_and_by_the_platform(world, login):
    event(world.establishment, by=world.rupn, summary="Par la RUPN")
    event(world.establishment, by=world.direction, summary="Par la direction")
    event(world.establishment, by=None, summary="Par la commande")
    client = login(world.rupn)

    assert listed(client.get(URL, {"membre": world.direction.pk})) == ["Par la direction"]
    assert listed(client.get(URL, {"membre": "plateforme"})) == ["Par la commande"]
    choices = dict(client.get(URL).context["form"].fields["membre"].choices)
    assert choices[str(world.rupn.pk)] == "Rupn@Test.Fr Test"
    assert str(world.teacher.pk) not in choices  # only people who appear in the log


def test_filter_by_dates_includes_both_days(world, login):
    day = date(2026, 3, 10)
    for offset, summary in ((-1, "Avant"), (0, "Premier jour"), (2, "Dernier jour"),
                            (3, "Après")):
        event(world.establishment, summary=summary,
              at=local(day + timedelta(days=offset), hour=23 if offset == 2 else 0))
    client = login(world.rupn)

    response = client.get(URL, {"du": "2026-03-10", "au": "2026-03-12"})

    assert listed(response) == ["Dernier jour", "Premier jour"]
    assert listed(client.get(URL, {"du": "2026-03-12"})) == ["Après", "Dernier jour"]


def test_dates_the_wrong_way_round_say_so_in_french(world, login):
    event(world.establishment, summary="Un export")

    response = login(world.rupn).get(URL, {"du": "2026-03-12", "au": "2026-03-10"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "La date de fin est avant la date de début." in html
    # only the wrong field is marked, the others are not painted green
    assert html.count("is-invalid") == 1 and "is-valid" not in html.replace("is-invalid", "")


def test_a_bad_date_or_action_is_a_form_error_not_a_500(world, login):
    response = login(world.rupn).get(URL, {"du": "hier", "action": "nimporte",
                                           "membre": "1x"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"du", "action", "membre"}


def test_filters_have_labels(world, login):
    html = login(world.rupn).get(URL).content.decode()

    for name, label in (("action", "Action"), ("membre", "Par"), ("du", "Du"), ("au", "Au")):
        assert f'<label class="form-label" for="id_{name}">{label}</label>' in html
    assert 'type="date"' in html and 'method="get"' in html


def test_pages_of_fifty_keep_the_filters(world, login):
    for n in range(PAGE_SIZE + 5):
        event(world.establishment, summary=f"Export {n}")
    event(world.establishment, action=Action.IMPORT, summary="Un import")
    client = login(world.rupn)

    first = client.get(URL, {"action": Action.DOWNLOAD})
    second = client.get(URL, {"action": Action.DOWNLOAD, "page": 2})

    assert len(listed(first)) == PAGE_SIZE and listed(first)[0] == f"Export {PAGE_SIZE + 4}"
    assert listed(second) == [f"Export {n}" for n in range(4, -1, -1)]
    assert "?action=download&amp;page=2" in first.content.decode()


def test_the_page_reads_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.rupn)
    event(world.establishment, by=world.rupn)
    client.get(URL)  # the session and the membership are warm

    def count(n_events: int) -> int:
        AuditEvent.objects.all().delete()
        for n in range(n_events):
            event(world.establishment, by=(world.rupn, world.direction, None)[n % 3],
                  filename=f"f{n}.csv")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    few, many = count(3), count(PAGE_SIZE + 10)
    # session, user, membership, other memberships, the filter's people, count, page
    assert few == many == 7


# --- the bilans page reads its latest downloads from the log ------------------------------------


def test_the_bilans_page_shows_the_latest_downloads_from_the_log(world, login):
    event(world.establishment, by=world.direction, summary="Bilan de certification (PDF)",
          filename="bilan.pdf")
    event(world.establishment, action=Action.ROLE_CHANGE, summary="Pas un téléchargement")
    event(world.outsider_establishment, summary="Téléchargement d’ailleurs")

    response = login(world.direction).get(reverse("reports:bilans"))
    html = response.content.decode()

    assert [d.summary for d in response.context["downloads"]] == ["Bilan de certification (PDF)"]
    assert "Direction@Test.Fr Test" in html and "bilan.pdf" in html
    assert "Pas un téléchargement" not in html and "d’ailleurs" not in html
    assert not response.context["more_downloads"]


def test_the_bilans_page_links_to_every_download_when_there_are_more(world, login):
    for n in range(11):
        event(world.establishment, summary=f"Export {n}")

    response = login(world.rupn).get(reverse("reports:bilans"))

    assert len(response.context["downloads"]) == 10 and response.context["more_downloads"]
    assert f'href="{URL}?action=download"' in response.content.decode()
