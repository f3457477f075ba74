"""Complementary certifications (CléA Numérique, Pix+ Droit…) in Pix's certification results
files: one `Certification <label>` column each, as Pix's `SessionCertificationResultsCsvBuilder`
and `CertificationResultsCsvValues.getComplementaryCertificationStatus` write them
(api/src/certification/results/infrastructure/utils/csv/certification-results/), and
columns the reader does not know, which it reports."""

import random
from datetime import date

import pytest

from pix.certification import read_certification_results, write_certification_results
from pix.certification_format import (
    CLEA_TYPE,
    COMPLEMENTARY_LABELS,
    CertificationStatus,
    ComplementaryStatus,
    complementary_status_from_label,
    newer_headers,
)
from pix.fake_results import complementary_status, fake_certification_results
from pix.fakes import fake_establishment_pupils

TAKEN_ON = date(2026, 5, 5)
SESSION_FILE = "20260505_1430_resultats_session_7001.csv"

# As Pix's own test writes a v2 session with two complementary certifications
# (get-session-certification-results-csv_test.js, "several complementary certifications").
PIX_SESSION_HEADER = (
    '"Numéro de certification";"Prénom";"Nom";"Date de naissance";"Lieu de naissance";'
    '"Identifiant Externe";"Type de certification";"Statut";"Certification CléA";'
    '"Certification Pix+ Droit Maître";"Niveau";"Score en Pix";"1.1";"1.2";"1.3";"2.1";"2.2";'
    '"2.3";"2.4";"3.1";"3.2";"3.3";"3.4";"4.1";"4.2";"4.3";"5.1";"5.2";'
    '"Commentaire jury pour l’organisation";"Session";"Centre de certification";'
    '"Date de passage de la certification"'
)
DASHES = ";".join(['"-"'] * 14)


def pix_session_file(*lines: str) -> bytes:
    return ("\ufeff" + PIX_SESSION_HEADER + "\n" + "\n".join(lines)).encode("utf-8")


def test_pix_session_file_with_clea_and_pix_droit_reads_every_status():
    data = pix_session_file(
        f'123;"Lili";"OXFORD";"04/01/2011";"Torreilles";"";"CléA Numérique by Pix";"Validée";'
        f'"Validée";"Non passée";"-";55;{DASHES};3;0;"";7001;"Collège";"05/05/2026"',
        f'124;"Tom";"CAMBRIDGE";"21/05/2011";"Lune";"";"Pix";"Non obtenue";"Non obtenue";'
        f'"Non obtenue";"-";0;{DASHES};"-";"-";"";7001;"Collège";"05/05/2026"',
        f'125;"Ana";"YALE";"02/02/2011";"Lune";"";"Pix";"Annulée";"Annulée";"Annulée";"-";'
        f'"-";{DASHES};"-";"-";"";7001;"Collège";"05/05/2026"',
    )

    results = read_certification_results(data, filename=SESSION_FILE)

    assert not results.errors, [str(e) for e in results.errors]
    assert results.complementary_labels == ("CléA", "Pix+ Droit Maître")
    assert results.unknown_columns == ()
    assert [(r.certification_type, dict(r.complementary)) for r in results.rows] == [
        (CLEA_TYPE, {"CléA": "Validée", "Pix+ Droit Maître": "Non passée"}),
        ("Pix", {"CléA": "Non obtenue", "Pix+ Droit Maître": "Non obtenue"}),
        ("Pix", {"CléA": "Annulée", "Pix+ Droit Maître": "Annulée"}),
    ]


def test_an_unknown_complementary_value_is_an_error_naming_its_cell():
    data = pix_session_file(
        f'123;"Lili";"OXFORD";"04/01/2011";"Torreilles";"";"Pix";"Validée";"Peut-être";'
        f'"Validée";"-";55;{DASHES};3;0;"";7001;"Collège";"05/05/2026"')

    results = read_certification_results(data, filename=SESSION_FILE)

    assert results.rows == []
    [error] = results.errors
    assert (error.line, error.column) == (2, "Certification CléA")
    assert "Peut-être" in error.text and "Non passée" in error.text


def test_unknown_columns_are_reported_never_silently_dropped():
    rows = fake_certification_results(
        fake_establishment_pupils({"3A": 3}, school_year=2025, rng=random.Random(1)),
        rng=random.Random(1), taken_on=TAKEN_ON, session="7001", newer_layout=True)
    lines = write_certification_results(rows, newer_layout=True).decode("utf-8").split("\n")
    lines = [lines[0] + ';"Remarque du professeur";"Option"'] + [
        line + ';"à revoir";"LCA"' for line in lines[1:]]

    results = read_certification_results("\n".join(lines).encode("utf-8"),
                                         filename="20260512_resultats_3A.csv")

    assert results.ok and len(results.rows) == 3
    assert results.unknown_columns == ("Remarque du professeur", "Option")
    assert [(w.line, w.column) for w in results.warnings] == [
        (None, "Remarque du professeur"), (None, "Option")]
    assert all("ignorée" in w.text for w in results.warnings)


def test_many_unknown_columns_give_a_bounded_number_of_warnings():
    rows = fake_certification_results(
        fake_establishment_pupils({"3A": 2}, school_year=2025, rng=random.Random(1)),
        rng=random.Random(1), taken_on=TAKEN_ON, session="7001", newer_layout=True)
    lines = write_certification_results(rows, newer_layout=True).decode("utf-8").split("\n")
    extra = [f"X{i}" for i in range(25)]
    lines = [lines[0] + "".join(f';"{h}"' for h in extra)] + [
        line + ';""' * len(extra) for line in lines[1:]]

    results = read_certification_results("\n".join(lines).encode("utf-8"))

    assert len(results.unknown_columns) == 25
    assert len(results.warnings) == 11
    assert "15 autres colonnes" in results.warnings[-1].text


@pytest.mark.parametrize(("status", "taken", "obtained", "expected"), [
    (CertificationStatus.CANCELLED, True, True, ComplementaryStatus.CANCELLED),
    (CertificationStatus.CANCELLED, False, False, ComplementaryStatus.CANCELLED),
    (CertificationStatus.ERROR, True, True, ComplementaryStatus.ERROR),
    (CertificationStatus.VALIDATED, False, True, ComplementaryStatus.NOT_TAKEN),
    (CertificationStatus.VALIDATED, True, True, ComplementaryStatus.VALIDATED),
    (CertificationStatus.VALIDATED, True, False, ComplementaryStatus.REJECTED),
    (CertificationStatus.REJECTED, True, True, ComplementaryStatus.REJECTED),
])
def test_generator_writes_complementary_statuses_as_pix_does(status, taken, obtained,
                                                             expected):
    assert complementary_status(status, taken=taken, obtained=obtained) is expected


def test_generated_session_file_round_trips_with_its_complementary_columns():
    pupils = fake_establishment_pupils({"3A": 40, "3B": 40}, school_year=2025,
                                       rng=random.Random(4))
    rows = fake_certification_results(
        pupils, rng=random.Random(4), taken_on=TAKEN_ON, session="7001", newer_layout=True,
        complementary={"CléA": 0.5, "Pix+ Droit Maître": 0.2})
    data = write_certification_results(rows, newer_layout=True)

    assert data.decode("utf-8").split("\n")[0] == "\ufeff" + ";".join(
        f'"{h}"' for h in newer_headers(("CléA", "Pix+ Droit Maître")))
    results = read_certification_results(data, filename=SESSION_FILE)
    assert not results.errors and results.rows == rows
    values = {v for r in rows for v in r.complementary.values()}
    assert {"Validée", "Non obtenue", "Non passée"} <= values <= set(COMPLEMENTARY_LABELS.values())
    for r in rows:
        clea = complementary_status_from_label(r.complementary["CléA"])
        assert (r.certification_type == CLEA_TYPE) is clea.taken
        if clea is ComplementaryStatus.VALIDATED:
            assert r.validated


def test_complementary_needs_the_newer_layout_and_leaves_earlier_draws_alone():
    pupils = fake_establishment_pupils({"3A": 10}, school_year=2025, rng=random.Random(2))
    with pytest.raises(ValueError):
        fake_certification_results(pupils, rng=random.Random(2), taken_on=TAKEN_ON,
                                   session="7001", complementary={"CléA": 0.5})
    plain = fake_certification_results(pupils, rng=random.Random(2), taken_on=TAKEN_ON,
                                       session="7001", newer_layout=True)
    assert all(r.complementary == {} and r.certification_type == "Pix" for r in plain)
