"""The campaign pages through the real stack: forms, services, imports, jobs and templates."""

from __future__ import annotations

import io
import random
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.models import Campaign, MatchDecision, Participant
from campaigns.services import campaign_create
from establishments.models import SchoolClass
from jobs.models import Job
from pix.campaign_format import CampaignKind
from pix.fake_results import fake_campaign_export_bytes
from tests.campaigns.results_world import (
    import_campaign,
    misspelt,
    pending,
    pupils_of,
    start,
    strangers,
)


def classes(world, *codes):
    return {c.code: c for c in SchoolClass.objects.filter(
        establishment=world.establishment, school_year=world.establishment.current_year,
        code__in=codes)}


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def two_classes(world):
    """The RUPN's profiles collection, taken by 5A and 5B, one participant of 5B misspelt
    (the world's pupil, the first of 5A, is recognised)."""
    in_5a_5b = pupils_of(world.establishment, ["5A", "5B"])
    return import_campaign(world.establishment, [*in_5a_5b[:-1], misspelt(in_5a_5b[-1])],
                           code="RUPNAB101", owner=world.rupn, classes=["5A", "5B"])


# --- the list ----------------------------------------------------------------------------------


def make(world, code, *, by=None, kind=Campaign.Kind.PROFILES_COLLECTION, classes_=()):
    return campaign_create(establishment=world.establishment, by=by or world.rupn, code=code,
                           name=f"Campagne {code}", kind=kind, parcours="",
                           purpose=Campaign.Purpose.OTHER, classes=classes_, opens_on=None,
                           closes_on=None)


def test_the_list_hides_archived_campaigns_unless_asked(client, world):
    make(world, "ACTIVE101")
    archived = make(world, "OLDONE102")
    archived.archived_at = archived.created_at
    archived.save(update_fields=["archived_at"])
    client.force_login(world.rupn)

    default = page(client.get(reverse("campaigns:list")))
    only_archived = page(client.get(reverse("campaigns:list"), {"archived": "archived"}))

    assert "ACTIVE101" in default and "OLDONE102" not in default
    assert "OLDONE102" in only_archived and "ACTIVE101" not in only_archived


def test_the_list_filters_by_kind_and_paginates(client, world):
    for index in range(30):
        make(world, f"PROFIL{index:03d}")
    make(world, "EVALUA999", kind=Campaign.Kind.ASSESSMENT)
    client.force_login(world.rupn)

    first = client.get(reverse("campaigns:list"))
    second = client.get(reverse("campaigns:list"), {"page": 2})
    assessments = page(client.get(reverse("campaigns:list"), {"kind": "assessment"}))

    assert first.context["page"].paginator.count == 31
    assert len(first.context["page"]) == 25 and len(second.context["page"]) == 6
    assert "EVALUA999" in assessments and "PROFIL000" not in assessments


def test_a_teacher_lists_the_campaigns_they_own_or_aimed_at_their_classes(client, world):
    found = classes(world, "5A", "5B")
    make(world, "MINEAB101", by=world.teacher)
    make(world, "FORMYC102", classes_=[found["5A"]])
    make(world, "NOTMIN103", classes_=[found["5B"]])
    client.force_login(world.teacher)

    listed = page(client.get(reverse("campaigns:list")))

    assert "MINEAB101" in listed and "FORMYC102" in listed
    assert "NOTMIN103" not in listed


# --- the form ----------------------------------------------------------------------------------


def test_the_rupn_creates_a_campaign_code_upper_cased(client, world):
    found = classes(world, "5A", "5B")
    client.force_login(world.rupn)

    response = client.post(reverse("campaigns:create"), {
        "code": " qwrtzk 482 ", "name": "Parcours de rentrée 5e", "kind": "assessment",
        "parcours": "Rentrée 5e", "purpose": "rentree",
        "classes": [found["5A"].pk, found["5B"].pk],
        "opens_on": "2026-09-08", "closes_on": "2026-10-15",
    })

    campaign = Campaign.objects.get(code="QWRTZK482")
    assert response.status_code == 302
    assert response.url == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.owner == world.rupn
    assert set(campaign.classes.values_list("code", flat=True)) == {"5A", "5B"}
    assert campaign.opens_on == date(2026, 9, 8)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("code", "QWRTZ482", "6 lettres puis 3 chiffres"),
    ("code", "DUPLIC001", "déjà le code DUPLIC001"),
    ("closes_on", "2026-09-01", "La clôture ne peut pas précéder l’ouverture."),
    ("name", "", "Ce champ est obligatoire."),
])
def test_form_errors_are_in_french(client, world, field, value, message):
    make(world, "DUPLIC001")
    client.force_login(world.rupn)
    data = {"code": "QWRTZK482", "name": "Test", "kind": "profiles_collection",
            "purpose": "other", "opens_on": "2026-09-08", "closes_on": "2026-10-15"}
    data[field] = value

    response = client.post(reverse("campaigns:create"), data)

    assert response.status_code == 200
    assert message in page(response)
    assert not Campaign.objects.filter(code="QWRTZK482").exists()


def test_a_teacher_may_only_aim_a_campaign_at_classes_they_teach(client, world):
    found = classes(world, "5A", "5B")
    client.force_login(world.teacher)

    offered = client.get(reverse("campaigns:create")).context["form"].fields["classes"]
    response = client.post(reverse("campaigns:create"), {
        "code": "PROFAB101", "name": "Ma campagne", "kind": "profiles_collection",
        "purpose": "other", "classes": [found["5B"].pk],
    })

    assert list(offered.queryset) == [found["5A"]]
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page(response)
    assert not Campaign.objects.filter(code="PROFAB101").exists()


def test_a_teacher_editing_keeps_the_classes_someone_else_chose(client, world):
    found = classes(world, "5A", "5B")
    campaign = make(world, "PROFAB101", by=world.teacher, classes_=[found["5A"], found["5B"]])
    client.force_login(world.teacher)

    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), {
        "code": "PROFAB101", "name": "Nouveau nom", "kind": "profiles_collection",
        "purpose": "other", "classes": [],
    })

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.name == "Nouveau nom"
    assert list(campaign.classes.values_list("code", flat=True)) == ["5B"]


def test_the_code_and_kind_are_fixed_once_results_are_imported(client, world, two_classes):
    client.force_login(world.rupn)

    response = client.post(reverse("campaigns:edit", args=[two_classes.pk]), {
        "code": "OTHERS999", "name": "Renommée", "kind": "assessment", "purpose": "other",
    })

    two_classes.refresh_from_db()
    assert response.status_code == 302
    assert (two_classes.code, two_classes.kind, two_classes.name) == (
        "RUPNAB101", "profiles_collection", "Renommée")


def test_archive_and_unarchive(client, world):
    campaign = make(world, "ARCHIV101")
    client.force_login(world.rupn)

    client.post(reverse("campaigns:archive", args=[campaign.pk]))
    campaign.refresh_from_db()
    archived_at = campaign.archived_at
    client.post(reverse("campaigns:unarchive", args=[campaign.pk]))
    campaign.refresh_from_db()

    assert archived_at is not None
    assert campaign.archived_at is None


# --- the campaign page, its slips and imports --------------------------------------------------


def test_the_campaign_page_shows_code_link_and_counts(client, world, two_classes):
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:detail", args=[two_classes.pk]))

    html = page(response)
    assert "RUPNAB101" in html
    assert "https://app.pix.fr/campagnes/RUPNAB101" in html
    counts = response.context["counts"]
    assert counts.participants == two_classes.participants.count()
    assert response.context["pending"] == 1
    assert reverse("campaigns:matching") in html


def test_a_teacher_sees_the_counts_of_their_classes_only(client, world, two_classes):
    client.force_login(world.teacher)

    counts = client.get(reverse("campaigns:detail", args=[two_classes.pk])).context["counts"]

    assert counts.participants == two_classes.participants.filter(division="5A").count()


def test_slips_one_section_per_targeted_class(client, world, two_classes):
    client.force_login(world.rupn)
    rupn_html = page(client.get(reverse("campaigns:slips", args=[two_classes.pk])))
    client.force_login(world.teacher)
    teacher_html = page(client.get(reverse("campaigns:slips", args=[two_classes.pk])))

    assert rupn_html.count('class="print-page') == 2
    assert "Classe 5A" in rupn_html and "Classe 5B" in rupn_html
    assert "J’envoie mes résultats" in rupn_html and "app.pix.fr" in rupn_html
    assert teacher_html.count('class="print-page') == 1 and "Classe 5B" not in teacher_html


def export_of(world, code, divisions=("5A",), kind=CampaignKind.PROFILES_COLLECTION) -> bytes:
    people = pupils_of(world.establishment, list(divisions))
    people = [misspelt(people[0]), *people[1:]]
    return fake_campaign_export_bytes(kind, people, rng=random.Random(5), code=code,
                                      name=f"Campagne {code}", start=start(), share_rate=1.0,
                                      organisation=world.establishment.name)


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_importing_from_the_import_page_creates_the_campaign(
        client, world, django_capture_on_commit_callbacks):
    client.force_login(world.rupn)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:import"),
                               {"file": upload("export.csv", export_of(world, "IMPORT101"))})

    job = Job.objects.get(kind=Job.Kind.CAMPAIGN_IMPORT)
    assert response.url == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    campaign = Campaign.objects.get(code="IMPORT101")
    assert job.params["campaign_id"] == campaign.pk
    # The job page tells what happened and where to go next
    html = page(client.get(response.url))
    assert "Participants" in html and "À rapprocher d’un élève" in html
    assert reverse("campaigns:detail", args=[campaign.pk]) in html
    assert reverse("campaigns:results", args=[campaign.pk]) in html
    assert reverse("campaigns:matching") in html


def test_importing_from_the_campaign_page(client, world, django_capture_on_commit_callbacks):
    campaign = make(world, "PAGEAB101")
    client.force_login(world.rupn)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:upload", args=[campaign.pk]),
                               {"file": upload("export.csv", export_of(world, "PAGEAB101"))})

    job = Job.objects.get(kind=Job.Kind.CAMPAIGN_IMPORT)
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert job.params == {"campaign_id": campaign.pk}
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert campaign.participants.count() == job.counts["participants"]
    # and the campaign page lists the import
    detail = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert list(detail.context["jobs"]) == [job]


def test_the_export_of_another_campaign_fails_on_the_job_page(
        client, world, django_capture_on_commit_callbacks):
    campaign = make(world, "PAGEAB101")
    client.force_login(world.rupn)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:upload", args=[campaign.pk]),
                               {"file": upload("export.csv", export_of(world, "OTHERS202"))})

    html = page(client.get(response.url))
    assert "rien n’a été enregistré" in html
    assert "pas de la campagne PAGEAB101" in html
    assert reverse("campaigns:detail", args=[campaign.pk]) in html


def test_an_upload_without_a_file_shows_the_error_on_the_campaign_page(client, world):
    campaign = make(world, "PAGEAB101")
    client.force_login(world.rupn)

    response = client.post(reverse("campaigns:upload", args=[campaign.pk]), {})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in page(response)
    assert not Job.objects.exists()


# --- collective results ------------------------------------------------------------------------


def test_results_of_the_whole_establishment_and_of_a_class(client, world, two_classes):
    client.force_login(world.rupn)

    whole = client.get(reverse("campaigns:results", args=[two_classes.pk]))
    of_5b = client.get(reverse("campaigns:results", args=[two_classes.pk]), {"division": "5B"})

    assert whole.context["summary"].division == ""
    assert whole.context["summary"].participants == two_classes.participants.count()
    assert of_5b.context["summary"].division == "5B"
    assert [c for c, _label in whole.context["form"].fields["division"].choices] == [
        "", "5A", "5B"]
    html = page(whole)
    assert 'class="plotly-graph-div js-chart"' in html  # the level distribution and the heatmap
    assert html.count("<figure") == 2 and html.count('class="chart-title"') == 2
    assert "Tableau classes × compétences" in html
    assert reverse("campaigns:results_csv", args=[two_classes.pk]) in html


def test_competences_are_ordered_from_weakest_to_strongest(client, world, two_classes):
    client.force_login(world.rupn)

    rows = client.get(reverse("campaigns:results", args=[two_classes.pk])).context["rows"]

    means = [row.mean_level for row in rows]
    assert len(rows) == 16
    assert means == sorted(means)


def test_a_teacher_sees_only_their_classes_and_cannot_pick_others(client, world, two_classes):
    client.force_login(world.teacher)
    url = reverse("campaigns:results", args=[two_classes.pk])

    default = client.get(url)
    forged = client.get(url, {"division": "5B"})

    assert default.context["summary"].division == "5A"
    assert [c for c, _label in default.context["form"].fields["division"].choices] == ["5A"]
    assert [d for d, _cells in default.context["heatmap_rows"]] == ["5A"]
    assert reverse("campaigns:results_csv", args=[two_classes.pk]) not in page(default)
    assert forged.status_code == 403


def test_assessment_results_show_mastery_stages_and_badges(client, world):
    campaign = import_campaign(world.establishment, pupils_of(world.establishment, ["5A"]),
                               code="RENTRE101", kind=CampaignKind.ASSESSMENT)
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:results", args=[campaign.pk]))

    html = page(response)
    assert response.context["mastery"] is True
    assert "Maîtrise moyenne par compétence" in html
    assert "Paliers" in html and "Prêt pour la suite" in html
    rates = [row.mean_mastery for row in response.context["rows"]]
    assert rates == sorted(rates)


def test_results_before_any_import_say_so(client, world):
    campaign = make(world, "EMPTYS101")
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:results", args=[campaign.pk]))

    assert response.status_code == 200
    assert "Aucun résultat pour l’instant" in page(response)


def test_csv_download(client, world, two_classes):
    client.force_login(world.direction)

    response = client.get(reverse("campaigns:results_csv", args=[two_classes.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="resultats-RUPNAB101.csv"'
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Classe;Participants")
    assert "5A;" in text and "5B;" in text


def test_xlsx_download(client, world, two_classes):
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:results_xlsx", args=[two_classes.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response["Content-Disposition"] == 'attachment; filename="resultats-RUPNAB101.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "Classe"


# --- the matching queue ------------------------------------------------------------------------


def test_the_queue_shows_the_candidates(client, world, two_classes):
    participant = pending(two_classes)
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:matching"))

    html = page(response)
    assert participant.last_name in html
    candidate = participant.candidate_pupils if hasattr(participant, "candidate_pupils") else None
    assert candidate is None  # the model has ids only: the page resolves them
    shown = response.context["participants"][0]
    assert [c.pupil.pk for c in shown.candidate_pupils] == participant.candidates
    assert f'value="{participant.candidates[0]}"' in html
    assert "Pas un élève de l’établissement" in html


def test_confirming_a_candidate(client, world, two_classes):
    participant = pending(two_classes)
    pupil_id = participant.candidates[0]
    client.force_login(world.rupn)

    response = client.post(reverse("campaigns:participant_decide", args=[participant.pk]),
                           {"action": "confirm", "pupil": pupil_id,
                            "next": reverse("campaigns:matching") + "?page=1"})

    participant.refresh_from_db()
    assert response.url == reverse("campaigns:matching") + "?page=1"
    assert participant.match == Participant.Match.CONFIRMED
    assert participant.pupil_id == pupil_id
    assert MatchDecision.objects.get().decided_by == world.rupn


def test_rejecting_a_participant(client, world, two_classes):
    participant = pending(two_classes)
    client.force_login(world.rupn)

    client.post(reverse("campaigns:participant_decide", args=[participant.pk]),
                {"action": "reject"})

    participant.refresh_from_db()
    assert participant.match == Participant.Match.NOT_OURS
    assert participant.pupil is None


def test_an_offsite_next_is_ignored(client, world, two_classes):
    participant = pending(two_classes)
    client.force_login(world.rupn)

    response = client.post(reverse("campaigns:participant_decide", args=[participant.pk]),
                           {"action": "reject", "next": "https://evil.example/"})

    assert response.url == reverse("campaigns:matching")


def test_choosing_another_pupil_by_searching(client, world, two_classes):
    participant = pending(two_classes)
    other = world.untaught_class.enrolments.select_related("pupil").first().pupil
    client.force_login(world.rupn)

    search = client.get(reverse("campaigns:participant_match", args=[participant.pk]),
                        {"q": other.last_name})
    client.post(reverse("campaigns:participant_decide", args=[participant.pk]),
                {"action": "confirm", "pupil": other.pk})

    assert other in search.context["pupils"]
    participant.refresh_from_db()
    assert participant.pupil == other


def test_the_search_starts_from_the_name_pix_gives(client, world, two_classes):
    participant = pending(two_classes)
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:participant_match", args=[participant.pk]))

    assert response.context["pupils"], "the misspelt name's start finds the pupil"
    assert participant.candidates[0] in [p.pk for p in response.context["pupils"]]


def test_an_empty_queue_says_so(client, world):
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:matching"))

    assert "Aucun participant à rapprocher" in page(response)


def test_the_queue_is_paginated(client, world):
    import_campaign(world.establishment, strangers(25), code="STRANG101", confirmed=True)
    client.force_login(world.rupn)

    first = client.get(reverse("campaigns:matching"))
    second = client.get(reverse("campaigns:matching"), {"page": 2})

    assert len(first.context["participants"]) == 20
    assert len(second.context["participants"]) == 5


# --- individual results ------------------------------------------------------------------------


def test_the_pupil_page_shows_latest_levels_and_history(client, world, two_classes):
    pupil = world.pupil
    client.force_login(world.teacher)

    html = page(client.get(reverse("pupils:detail", args=[pupil.pk])))

    assert "Résultats Pix" in html
    assert "Dernier niveau connu par compétence" in html
    assert 'class="plotly-graph-div js-chart"' in html
    assert "Campagne RUPNAB101" in html


def test_the_pupil_page_without_results(client, world):
    client.force_login(world.rupn)

    html = page(client.get(reverse("pupils:detail", args=[world.pupil.pk])))

    assert "Aucun résultat Pix importé pour cet élève." in html
    assert "plotly-graph-div" not in html


def test_the_pupils_home_shows_their_levels_in_their_words(client, world, two_classes):
    client.force_login(world.pupil_user)

    html = page(client.get(reverse("home")))

    assert "Tes niveaux par compétence" in html
    assert "Tes campagnes" in html and "Campagne RUPNAB101" in html
    assert "certification" in html
    assert 'class="plotly-graph-div js-chart"' in html


def test_the_pupils_home_keeps_its_honest_empty_state(client, world):
    client.force_login(world.pupil_user)

    html = page(client.get(reverse("home")))

    assert "apparaîtront ici dès que ton établissement aura importé" in html
    assert "plotly" not in html


# --- levels by grade ---------------------------------------------------------------------------


def test_grade_levels_coloured_cells_with_the_level_as_text(client, world, two_classes):
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:grade_levels"), {"grade": "5e"})

    rows = response.context["rows"]
    assert {r["pupil"].class_code for r in rows} == {"5A", "5B"}
    measured = [r for r in rows if any(level is not None for level, _c in r["cells"])]
    assert measured
    level, colour = next((lv, c) for lv, c in measured[0]["cells"] if lv is not None)
    assert f'style="{colour.style}">{level}</td>' in page(response)


def test_grade_levels_default_to_the_grade_last_measured(client, world, two_classes):
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:grade_levels"))

    assert response.context["grade_label"] == "Cinquième"


def test_a_teacher_sees_the_levels_of_their_classes_only(client, world, two_classes):
    client.force_login(world.teacher)

    response = client.get(reverse("campaigns:grade_levels"), {"grade": "5e"})
    forged = client.get(reverse("campaigns:grade_levels"),
                        {"grade": "5e", "school_class": world.untaught_class.pk})

    assert {r["pupil"].class_code for r in response.context["rows"]} == {"5A"}
    assert [c.code for c in response.context["form"].fields["school_class"].queryset] == ["5A"]
    assert {r["pupil"].class_code for r in forged.context["rows"]} <= {"5A"}


def test_grade_levels_filter_by_class(client, world, two_classes):
    client.force_login(world.direction)

    response = client.get(reverse("campaigns:grade_levels"),
                          {"grade": "5e", "school_class": world.untaught_class.pk})

    assert {r["pupil"].class_code for r in response.context["rows"]} == {"5B"}


def test_a_teacher_importing_someone_elses_campaign_reads_why_on_the_job_page(
        client, world, django_capture_on_commit_callbacks):
    make(world, "RUPNAB101")  # the RUPN's campaign
    client.force_login(world.teacher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:import"),
                               {"file": upload("export.csv", export_of(world, "RUPNAB101"))})

    job = Job.objects.get(kind=Job.Kind.CAMPAIGN_IMPORT)
    assert job.status == Job.Status.FAILED
    assert not Participant.objects.filter(campaign__code="RUPNAB101").exists()
    assert "rien n’a été enregistré" in page(client.get(response.url))


# --- charts ------------------------------------------------------------------------------------


def contrast(background: str, text: str) -> float:
    from plotly.colors import hex_to_rgb, unlabel_rgb

    def luminance(colour: str) -> float:
        rgb = hex_to_rgb(colour) if colour.startswith("#") else unlabel_rgb(colour)
        channels = [c / 255 for c in rgb]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(background), luminance(text)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("max_level", [5, 6, 8])
def test_level_cells_keep_a_readable_contrast(max_level):
    from campaigns.charts import level_colour, mastery_colour

    colours = [level_colour(level / 2, max_level) for level in range(2 * max_level + 1)]
    colours += [mastery_colour(rate / 20) for rate in range(21)]

    assert min(contrast(c.background, c.text) for c in colours) >= 4.5


def test_a_chart_is_json_that_cannot_close_its_script_element():
    import json
    import re

    from campaigns.charts import CompetenceRow, mastery_chart

    row = CompetenceRow(code="1.1", name="</script><b>", domain="1", count=3, mean_mastery=0.5)

    html = mastery_chart([row], axis_label="Maîtrise & <niveau>")

    assert "</script><b>" not in html and "<niveau>" not in html
    payload = re.search(r'<script id="[^"]+" type="application/json">(.*)</script>',
                        html).group(1)
    figure = json.loads(payload)
    assert figure["layout"]["xaxis"]["title"]["text"] == "Maîtrise & <niveau>"
