"""Issue 10: a campaign's external id, under the label its creator chose, stored per
participant, shown in the individual results and exported with the participants."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from campaigns.imports import campaign_results_import
from campaigns.models import Participant
from tests.campaigns.factories import assessment, assessment_export, when


def imported(world, label="Classe"):
    """Three pupils of 5A (the first one ours: the world's pupil), an external id each."""
    pupil = world.pupil
    rows = [
        assessment(pupil.last_name, pupil.first_name, "5A", started_at=when(9, 20),
                   shared_at=when(9, 21), skills={"1.1": (4, 3), "2.1": (4, 1)}, stage=1,
                   badges={"Badge A": False}, external_id="ENT-001"),
        assessment("INCONNU", "Personne", "5A", started_at=when(9, 20),
                   shared_at=when(9, 22, 14, 5), skills={"1.1": (4, 4), "2.1": (4, 3)},
                   stage=2, badges={"Badge A": True}, external_id="=ENT-002"),
        assessment("ABSENT", "Alice", "5A", started_at=when(9, 20), external_id="ENT-003"),
    ]
    data = assessment_export(rows, organisation=world.establishment.name,
                             external_id_label=label)
    report = campaign_results_import(establishment=world.establishment, data=data,
                                     confirmed=True)
    assert report.ok, [str(e) for e in report.errors]
    return report.campaign


def test_the_pupil_page_shows_the_external_id_with_its_label(client, world):
    imported(world)
    client.force_login(world.rupn)

    html = client.get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()

    assert "Identifiant externe (Classe) : ENT-001" in html


def test_the_participants_csv_has_the_external_id_and_results_by_hand(client, world):
    campaign = imported(world)
    client.force_login(world.rupn)

    response = client.get(reverse("campaigns:participants_csv", args=[campaign.pk]))

    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ("Nom;Prénom;Classe;Identifiant externe (Classe);Élève reconnu;Envoi;"
                        "Date de l’envoi;Maîtrise des acquis")
    by_name = {line.split(";")[0]: line for line in lines[1:] if line}
    # 3 + 1 of 8 = 0,5; 4 + 3 of 8 = 0,875 → Pix writes 0,88; never shared: empty
    assert by_name[world.pupil.last_name].endswith(";ENT-001;Oui;Oui;21/09/"
                                                  f"{when(9, 21).year} 10:00;0,50")
    # a value that a spreadsheet would run is neutralised
    assert by_name["INCONNU"] == (f"INCONNU;Personne;5A;'=ENT-002;Non;Oui;22/09/"
                                  f"{when(9, 22).year} 14:05;0,88")
    assert by_name["ABSENT"] == "ABSENT;Alice;5A;ENT-003;Non;Non;;"


def test_the_participants_workbook_holds_the_same_rows(client, world):
    campaign = imported(world)
    client.force_login(world.rupn)

    data = client.get(reverse("campaigns:participants_xlsx", args=[campaign.pk])).content
    sheet = load_workbook(io.BytesIO(data)).active

    assert sheet["D1"].value == "Identifiant externe (Classe)"
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["INCONNU"][3] == "'=ENT-002" and values["INCONNU"][7] == 0.88
    assert Participant.objects.filter(campaign=campaign).count() == sheet.max_row - 1 == 3


def test_a_teacher_of_one_class_cannot_download_every_participant(client, world):
    campaign = imported(world)
    client.force_login(world.teacher)

    response = client.get(reverse("campaigns:participants_csv", args=[campaign.pk]))

    assert response.status_code == 403


def test_another_establishment_gets_a_404(client, world):
    campaign = imported(world)
    client.force_login(world.outsider)

    assert client.get(reverse("campaigns:participants_xlsx",
                              args=[campaign.pk])).status_code == 404


def test_the_participant_list_shows_the_external_id_under_its_label(client, world):
    campaign = imported(world)
    client.force_login(world.rupn)

    html = client.get(reverse("campaigns:participants", args=[campaign.pk])).content.decode()

    assert "Identifiant externe (Classe)" in html
    for value in ("ENT-001", "=ENT-002", "ENT-003"):
        assert f'<td class="text-break">{value}</td>' in html
    assert "3 participants, tels que Pix Orga les nomme." in html


def test_a_teacher_sees_only_the_participants_of_their_classes(client, world):
    # given the RUPN's campaign with one participant in 5A (taught) and one in 5B
    rows = [assessment("MARTIN", "Léa", "5A", started_at=when(9, 20), external_id="A-1"),
            assessment("PETIT", "Noé", "5B", started_at=when(9, 20), external_id="B-1")]
    report = campaign_results_import(
        establishment=world.establishment, by=world.rupn, confirmed=True,
        data=assessment_export(rows, organisation=world.establishment.name,
                               external_id_label="Numéro"))
    report.campaign.classes.set([world.taught_class, world.untaught_class])
    client.force_login(world.teacher)

    response = client.get(reverse("campaigns:participants", args=[report.campaign.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "A-1" in html and "B-1" not in html
    assert reverse("campaigns:participants_csv", args=[report.campaign.pk]) not in html
