"""Who may open what among the campaign pages: every URL of campaigns/urls.py × every role.

Another establishment's campaign or participant answers 404; a campaign a teacher has no link
with is scoped away (404); a role that sees the campaign but may not act answers 403; pupils
never reach campaign pages (403); anonymous visitors are sent to the login page.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from campaigns.models import Campaign, MatchDecision, Participant
from jobs.models import Job
from tests.campaigns.results_world import import_campaign, misspelt, pending, pupils_of

# The teacher teaches 5A; "other_teacher" teaches nothing and owns nothing.
ROLES = ("anonymous", "rupn", "direction", "teacher", "other_teacher", "pupil", "outsider")


@pytest.fixture
def objects(world):
    """Campaign "rupn": the RUPN's, aimed at 5A and 5B (the teacher sees it for 5A only).
    Campaign "own": the teacher's. One pending participant; the same in another
    establishment."""
    in_5a_5b = pupils_of(world.establishment, ["5A", "5B"])
    rupn_campaign = import_campaign(
        world.establishment, [misspelt(in_5a_5b[0]), *in_5a_5b[1:]], code="RUPNAB101",
        owner=world.rupn, classes=["5A", "5B"],
    )
    own = import_campaign(world.establishment, pupils_of(world.establishment, ["5A"]),
                          code="PROFAB202", owner=world.teacher, classes=["5A"])
    elsewhere = world.outsider_establishment
    outside = pupils_of(elsewhere, ["5A"])
    other = import_campaign(elsewhere, [misspelt(outside[0]), *outside[1:]],
                            code="AILLEU303", owner=world.outsider, classes=["5A"])
    def stopped(flag: str) -> int:
        """A failed import of the RUPN's, waiting for its second step."""
        return Job.objects.create(
            establishment=world.establishment, kind=Job.Kind.CAMPAIGN_IMPORT,
            created_by=world.rupn, filename="export.csv", payload=b"x",
            status=Job.Status.FAILED, params={flag: True},
            task_name="campaigns.tasks.import_campaign_results_task",
        ).pk

    return {
        "stopped_foreign": stopped("needs_confirmation"),
        "stopped_no_code": stopped("needs_campaign"),
        "rupn": rupn_campaign.pk,
        "own": own.pk,
        "participant": pending(rupn_campaign).pk,
        "other": other.pk,
        "other_participant": pending(other).pk,
    }


def client_as(client, world, role):
    if role == "other_teacher":
        client.force_login(world.other_teacher)
    elif role != "anonymous":
        client.force_login(world.member(role))
    return client


# url name, method, arguments (keys of `objects`), then the expected status for each of ROLES.
# "login" means a redirect to the login page. A POST without data: a valid refusal is 403/404,
# an accepted one redirects (302) or answers the form with its errors (400).
TABLE = [
    ("campaigns:list", "get", (), ["login", 200, 200, 200, 200, 403, 200]),
    ("campaigns:create", "get", (), ["login", 200, 403, 200, 200, 403, 200]),
    ("campaigns:import", "get", (), ["login", 200, 403, 200, 200, 403, 200]),
    ("campaigns:matching", "get", (), ["login", 200, 403, 403, 403, 403, 200]),
    ("campaigns:participant_match", "get", ("participant",),
     ["login", 200, 403, 403, 403, 403, 404]),
    ("campaigns:participant_decide", "post", ("participant",),
     ["login", 302, 403, 403, 403, 403, 404]),
    ("campaigns:grade_levels", "get", (), ["login", 200, 200, 200, 200, 403, 200]),
    ("campaigns:detail", "get", ("rupn",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:edit", "get", ("rupn",), ["login", 200, 403, 403, 404, 403, 404]),
    ("campaigns:archive", "post", ("rupn",), ["login", 302, 403, 403, 404, 403, 404]),
    ("campaigns:unarchive", "post", ("rupn",), ["login", 302, 403, 403, 404, 403, 404]),
    ("campaigns:upload", "post", ("rupn",), ["login", 400, 403, 403, 404, 403, 404]),
    ("campaigns:slips", "get", ("rupn",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:results", "get", ("rupn",), ["login", 200, 200, 200, 404, 403, 404]),
    # The files hold every class: a teacher who sees the campaign for their class only may not.
    ("campaigns:results_csv", "get", ("rupn",), ["login", 200, 200, 403, 404, 403, 404]),
    ("campaigns:results_xlsx", "get", ("rupn",), ["login", 200, 200, 403, 404, 403, 404]),
    ("campaigns:participants", "get", ("rupn",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:participants_csv", "get", ("rupn",), ["login", 200, 200, 403, 404, 403, 404]),
    ("campaigns:participants_xlsx", "get", ("rupn",),
     ["login", 200, 200, 403, 404, 403, 404]),
    # The second steps of a stopped import: the RUPN's job, unseen by teachers (not theirs).
    ("campaigns:import_confirm", "post", ("stopped_foreign",),
     ["login", 302, 403, 403, 403, 403, 404]),
    ("campaigns:import_campaign_choice", "get", ("stopped_no_code",),
     ["login", 200, 403, 404, 404, 403, 404]),
    ("campaigns:import_campaign_choice", "post", ("stopped_no_code",),
     ["login", 400, 403, 404, 404, 403, 404]),
    # The teacher's own campaign: theirs to edit, archive, import into and download.
    ("campaigns:detail", "get", ("own",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:edit", "get", ("own",), ["login", 200, 403, 200, 404, 403, 404]),
    ("campaigns:archive", "post", ("own",), ["login", 302, 403, 302, 404, 403, 404]),
    ("campaigns:unarchive", "post", ("own",), ["login", 302, 403, 302, 404, 403, 404]),
    ("campaigns:upload", "post", ("own",), ["login", 400, 403, 400, 404, 403, 404]),
    ("campaigns:slips", "get", ("own",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:results", "get", ("own",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:results_csv", "get", ("own",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:results_xlsx", "get", ("own",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:participants", "get", ("own",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:participants_csv", "get", ("own",), ["login", 200, 200, 200, 404, 403, 404]),
    ("campaigns:participants_xlsx", "get", ("own",), ["login", 200, 200, 200, 404, 403, 404]),
]


def state():
    """What a refused request must leave as it was."""
    return (
        list(Campaign.objects.order_by("pk").values_list("pk", "archived_at", "name")),
        list(Participant.objects.order_by("pk").values_list("pk", "pupil_id", "match")),
        MatchDecision.objects.count(),
    )


def outcome(response) -> int | str:
    login = reverse("account_login") + "?next="
    if response.status_code == 302 and response.url.startswith(login):
        return "login"
    return response.status_code


def test_the_table_covers_every_campaigns_url():
    names = {f"campaigns:{name}" for name in get_resolver().namespace_dict["campaigns"][1]
             .reverse_dict if isinstance(name, str)}

    assert names == {name for name, *_rest in TABLE}


@pytest.mark.parametrize(("name", "method", "args", "statuses"), TABLE,
                         ids=[f"{t[0]}-{'-'.join(t[2])}" for t in TABLE])
def test_access(client, world, objects, name, method, args, statuses):
    url = reverse(name, args=[objects[a] for a in args])
    seen, changed = {}, []
    for role in ROLES:
        # Each role starts from the same world: its request is rolled back afterwards.
        with transaction.atomic():
            # Given a user of `role` (the outsider is the RUPN of another establishment)
            client.logout()
            client_as(client, world, role)
            before = state()

            # When they open the page (or post to it)
            response = client.post(url) if method == "post" else client.get(url)

            seen[role] = outcome(response)
            if seen[role] in ("login", 403, 404) and state() != before:
                changed.append(role)
            transaction.set_rollback(True)

    # Then each role gets the status of the table, and a refusal changes nothing
    assert seen == dict(zip(ROLES, statuses, strict=True))
    assert changed == []


@pytest.mark.parametrize("name", ["campaigns:archive", "campaigns:unarchive",
                                  "campaigns:upload", "campaigns:participant_decide"])
def test_state_changing_urls_refuse_get(client, world, objects, name):
    key = "participant" if name == "campaigns:participant_decide" else "rupn"
    client.force_login(world.rupn)

    response = client.get(reverse(name, args=[objects[key]]))

    assert response.status_code == 405


CAMPAIGN_URLS = [
    ("campaigns:detail", "get"), ("campaigns:edit", "get"), ("campaigns:archive", "post"),
    ("campaigns:unarchive", "post"), ("campaigns:upload", "post"), ("campaigns:slips", "get"),
    ("campaigns:results", "get"), ("campaigns:results_csv", "get"),
    ("campaigns:results_xlsx", "get"),
]


@pytest.mark.parametrize("role", ["rupn", "direction", "teacher"])
@pytest.mark.parametrize(("name", "method"), CAMPAIGN_URLS, ids=[n for n, _m in CAMPAIGN_URLS])
def test_another_establishments_campaign_answers_404(client, world, objects, name, method,
                                                      role):
    # Given a member of the world's establishment
    client.force_login(world.member(role))
    before = state()

    # When they ask for a campaign of another establishment by its id
    url = reverse(name, args=[objects["other"]])
    response = client.post(url) if method == "post" else client.get(url)

    # Then its existence is not revealed, and it is left alone
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize(("name", "method"), [("campaigns:participant_match", "get"),
                                              ("campaigns:participant_decide", "post")])
def test_another_establishments_participant_answers_404(client, world, objects, name, method):
    client.force_login(world.rupn)
    participant = Participant.objects.get(pk=objects["other_participant"])
    url = reverse(name, args=[participant.pk])

    response = (client.post(url, {"action": "reject"}) if method == "post"
                else client.get(url))

    assert response.status_code == 404
    participant.refresh_from_db()
    assert participant.match == Participant.Match.PENDING
    assert not MatchDecision.objects.filter(establishment=world.outsider_establishment).exists()


def test_a_pupil_of_another_establishment_cannot_be_confirmed(client, world, objects):
    # Given the RUPN and a participant of their establishment waiting in the queue
    client.force_login(world.rupn)
    participant = Participant.objects.get(pk=objects["participant"])

    # When a forged form names a pupil of another establishment
    response = client.post(
        reverse("campaigns:participant_decide", args=[participant.pk]),
        {"action": "confirm", "pupil": world.outsider_pupil.pk}, follow=True,
    )

    # Then nothing is decided, and the RUPN reads why in French
    participant.refresh_from_db()
    assert participant.match == Participant.Match.PENDING
    assert participant.pupil is None
    assert "n’existe pas dans l’établissement" in response.content.decode()
