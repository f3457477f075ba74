"""Issue 10: campaign exports of every era, read as Pix writes them.

Files are written by the project's writers and generator, which follow 1024pix/pix,
api/src/prescription/campaign/infrastructure/serializers/csv/
campaign-profiles-collection-export.js and campaign-assessment-export.js: names, [Classe],
then the external id under its free label, then the results.
"""

from __future__ import annotations

import random
from datetime import date

from pix.campaigns import CampaignKind, read_campaign_export, write_campaign_export
from pix.fake_results import Participant, fake_campaign_export_bytes
from tests.campaigns.factories import assessment, assessment_export, profile, profiles_export, when


def test_an_external_id_labelled_classe_leaves_pix_class_alone():
    # given a profiles collection whose external id the campaign's creator called "Classe"
    rows = [profile("MARTIN", "Léa", "5A", shared_at=when(10, 2), pix={"1.1": 16},
                    external_id="E-17"),
            profile("PETIT", "Noé", "5B", shared_at=None, external_id="E-18")]
    data = profiles_export(rows, external_id_label="Classe")
    assert data.decode("utf-8-sig").split("\n")[0].count('"Classe"') == 2

    # when it is read
    export = read_campaign_export(data)

    # then the first "Classe" is Pix's, the second the external id
    assert export.ok, [str(e) for e in export.errors]
    assert export.external_id_label == "Classe"
    assert [(r.division, r.external_id) for r in export.rows] == [("5A", "E-17"),
                                                                  ("5B", "E-18")]
    assert export.rows[0].pix_total == 16
    assert write_campaign_export(export) == data


def test_an_external_id_labelled_like_the_names_or_the_first_result():
    # given assessments whose external id repeats "Nom du Participant", then "% de progression"
    rows = [assessment("MARTIN", "Léa", "5A", started_at=when(9, 20), shared_at=when(9, 21),
                       skills={"1.1": (4, 3), "2.1": (4, 1)}, stage=2,
                       badges={"Badge A": True}, external_id="ID-1")]
    for label in ("Nom du Participant", "% de progression", "Date de naissance"):
        data = assessment_export(rows, external_id_label=label)

        export = read_campaign_export(data)

        # then names, class and progression are Pix's, the external id its own
        assert export.ok, (label, [str(e) for e in export.errors])
        row = export.rows[0]
        assert (row.last_name, row.division, row.external_id) == ("MARTIN", "5A", "ID-1")
        # 3 + 1 skills mastered of 4 + 4: 4 / 8 = 0,5
        assert str(row.mastery) == "0.5" and row.stage == 2 and row.badges == {"Badge A": True}
        assert export.external_id_label == label
        assert write_campaign_export(export) == data


def test_a_generated_file_with_the_external_id_labelled_classe():
    # given 12 pupils in 3 classes, from the project's generator
    people = [Participant(f"NOM{i:02d}", "Prénom", f"4{'ABC'[i % 3]}", "4e",
                          external_id=f"{1000 + i}") for i in range(12)]
    data = fake_campaign_export_bytes(CampaignKind.PROFILES_COLLECTION, people,
                                      rng=random.Random(3), code="CLASSE101", name="Collecte",
                                      external_id_label="Classe", resend_rate=0)

    export = read_campaign_export(data)

    # then each row keeps its class and its external id: 4 rows in each of 4A, 4B, 4C
    assert export.ok
    assert len(export.rows) == 12
    assert {r.division for r in export.rows} == {"4A", "4B", "4C"}
    assert [r.division for r in export.rows].count("4A") == 4
    assert sorted(r.external_id for r in export.rows) == [str(1000 + i) for i in range(12)]


def test_a_2020_2021_profiles_collection_has_no_code_and_bare_dates():
    # given an export of 2020-2021: no "Code", "Date de l'envoi", dates YYYY-MM-DD
    rows = [profile("MARTIN", "Léa", "5A", shared_at=when(1, 12), pix={"1.1": 30, "2.1": 12}),
            profile("PETIT", "Noé", "5A", shared_at=None)]
    data = profiles_export(rows, older_format=True, without_code=True)
    header = data.decode("utf-8-sig").split("\n")[0]
    assert '"Code"' not in header and "Date de l'envoi" in header

    export = read_campaign_export(data)

    assert export.ok, [str(e) for e in export.errors]
    assert (export.code, export.has_code, export.older_format) == ("", False, True)
    assert export.rows[0].pix_total == 42  # 30 + 12
    assert export.rows[0].shared_at.date() == date(when(1, 12).year, 1, 12)
    assert write_campaign_export(export) == data


def test_a_2020_2021_assessment_has_the_profil_cible():
    rows = [assessment("MARTIN", "Léa", "5A", started_at=when(9, 20), shared_at=when(9, 22),
                       skills={"1.1": (5, 5), "2.1": (5, 2)}, stage=3,
                       badges={"Badge A": False})]
    data = assessment_export(rows, older_format=True, without_code=True,
                             parcours="Parcours 2020")

    export = read_campaign_export(data)

    assert export.ok, [str(e) for e in export.errors]
    assert (export.code, export.parcours, export.kind) == ("", "Parcours 2020",
                                                           CampaignKind.ASSESSMENT)
    assert str(export.rows[0].mastery) == "0.7"  # 7 of 10 skills
    assert write_campaign_export(export) == data
