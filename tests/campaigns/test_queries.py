"""Results pages read aggregates and a page of rows: their number of queries does not grow with
the number of participants (or of campaigns, or of pupils waiting to be matched)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.services import campaign_create
from pix.campaign_format import CampaignKind
from tests.campaigns.results_world import import_campaign, pupils_of, strangers

# A bound that holds at any size: session, user, membership, the page's reads.
MAX_QUERIES = 16


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def campaign_of(world, size: int, code: str, kind=CampaignKind.PROFILES_COLLECTION) -> Campaign:
    people = strangers(size // 2, "5A", seed=size) + strangers(size - size // 2, "5B",
                                                                  seed=size + 1)
    return import_campaign(world.establishment, people, code=code, kind=kind,
                           owner=world.rupn, classes=["5A", "5B"], confirmed=True)


@pytest.mark.parametrize("kind", [CampaignKind.PROFILES_COLLECTION, CampaignKind.ASSESSMENT])
@pytest.mark.parametrize("role", ["rupn", "teacher"])
def test_results_page_queries_do_not_grow_with_participants(
        client, world, django_assert_max_num_queries, kind, role):
    small = campaign_of(world, 10, "SMALLS101", kind)
    large = campaign_of(world, 100, "LARGES102", kind)
    client.force_login(world.member(role))

    with django_assert_max_num_queries(MAX_QUERIES):
        few = queries_for(client, reverse("campaigns:results", args=[small.pk]))
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, reverse("campaigns:results", args=[large.pk]))
    of_a_class = queries_for(client, reverse("campaigns:results", args=[large.pk]),
                             {"division": "5A"})

    assert few == many == of_a_class


def test_campaign_page_queries_do_not_grow_with_participants(
        client, world, django_assert_max_num_queries):
    small = campaign_of(world, 10, "SMALLS101")
    large = campaign_of(world, 100, "LARGES102")
    client.force_login(world.rupn)

    with django_assert_max_num_queries(MAX_QUERIES):
        few = queries_for(client, reverse("campaigns:detail", args=[small.pk]))
    many = queries_for(client, reverse("campaigns:detail", args=[large.pk]))

    assert few == many


def test_list_queries_do_not_grow_with_campaigns(client, world, django_assert_max_num_queries):
    def add(count, start):
        for index in range(start, start + count):
            campaign_create(establishment=world.establishment, by=world.rupn,
                            code=f"LISTAB{index:03d}", name=f"Campagne {index}",
                            kind=Campaign.Kind.PROFILES_COLLECTION)

    client.force_login(world.teacher)
    add(3, 0)
    few = queries_for(client, reverse("campaigns:list"))
    add(30, 3)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, reverse("campaigns:list"))

    assert few == many


def test_matching_queue_queries_do_not_grow_with_the_queue(
        client, world, django_assert_max_num_queries):
    client.force_login(world.rupn)
    import_campaign(world.establishment, strangers(3), code="QUEUEA101", confirmed=True)
    few = queries_for(client, reverse("campaigns:matching"))
    import_campaign(world.establishment, strangers(40, seed=9), code="QUEUEB102",
                    confirmed=True)

    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, reverse("campaigns:matching"))

    assert few == many


def test_grade_levels_and_pupil_pages_in_a_fixed_number_of_queries(
        client, world, django_assert_max_num_queries):
    client.force_login(world.rupn)
    import_campaign(world.establishment, pupils_of(world.establishment, ["5A", "5B"]),
                    code="LEVELS101")
    import_campaign(world.establishment, pupils_of(world.establishment, ["5A"]),
                    code="LEVELS102", seed=2)

    with django_assert_max_num_queries(MAX_QUERIES):
        queries_for(client, reverse("campaigns:grade_levels"), {"grade": "5e"})
    with django_assert_max_num_queries(MAX_QUERIES + 4):  # the pupil page's own reads
        queries_for(client, reverse("pupils:detail", args=[world.pupil.pk]))
