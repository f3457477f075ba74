"""Pix Orga campaign exports: the real-format samples, round trips, and every bad input."""

import csv
import io
import random
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pix.campaign_format import CompetenceLevel, Mastery, ParticipationRow
from pix.campaigns import (
    CampaignKind,
    domain_mastery_from,
    mastery_rate,
    read_campaign_export,
    write_assessment_export,
    write_campaign_export,
    write_profiles_collection_export,
)
from pix.fake_results import Participant, fake_campaign_export_bytes
from pix.files import PARIS
from pix.referential import COMPETENCE_CODES

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
PROFILES_SAMPLE = SAMPLES / "Resultats-Collecte-profils-3e-412345-2026-06-01-1012.csv"
ASSESSMENT_SAMPLE = SAMPLES / "Resultats-Rentree-5e-418877-2025-09-30-1700.csv"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="no ../shared/samples here")

PARTICIPANTS = [
    Participant("MARTIN", "Léa", "3A", "3e", external_id="1001"),
    Participant("BERNARD", "Enzo", "3A", "3e", external_id="1002"),
    Participant("N’DIAYE", "Aïssatou", "301", "3e", external_id="1003"),
    Participant("DUBOIS", "Jean-Éloïse", "3B", "3e", external_id="1004"),
    Participant("PETIT", "Noé", "5A", "5e", external_id="1005"),
    Participant("GARCIA", "Sofia", "5A", "5e", external_id="1006"),
]


def generated(kind: CampaignKind, seed: int = 7, participants=PARTICIPANTS * 5, **options):
    return fake_campaign_export_bytes(kind, participants, rng=random.Random(seed),
                                      code="QWRTZK482", name="Campagne de test", **options)


def messages(export) -> list[str]:
    return [str(error) for error in export.errors]


def replace_line(data: bytes, index: int, change) -> bytes:
    lines = data.decode("utf-8").split("\n")
    lines[index] = change(lines[index])
    return "\n".join(lines).encode("utf-8")


# --- the real-format samples ----------------------------------------------------------------


@needs_samples
def test_profiles_collection_sample_reads_every_row():
    export = read_campaign_export(PROFILES_SAMPLE.read_bytes())

    assert export.ok, messages(export)
    assert export.kind is CampaignKind.PROFILES_COLLECTION
    assert (export.organisation, export.campaign_id, export.code) == (
        "Collège Jean Moulin (exemple)", 412345, "QWRTZK482")
    assert export.name == "Collecte de profils 3e - mai 2026"
    assert export.competence_codes == COMPETENCE_CODES
    assert export.external_id_label is None
    assert len(export.rows) == 14
    unshared = [r for r in export.rows if not r.shared]
    assert [(r.last_name, r.first_name, r.division) for r in unshared] == [
        ("COULIBALY", "Loïc", "301")]
    assert unshared[0].pix_total is None
    assert unshared[0].levels["1.1"] == CompetenceLevel(None, None)


@needs_samples
def test_profiles_collection_sample_keeps_every_sending_newest_first():
    export = read_campaign_export(PROFILES_SAMPLE.read_bytes())

    sendings: dict[tuple[str, str], list[ParticipationRow]] = {}
    for row in export.rows:
        sendings.setdefault((row.last_name, row.first_name), []).append(row)
    twice = {key: rows for key, rows in sendings.items() if len(rows) > 1}
    assert set(twice) == {("DAVID", "Jade"), ("MARTIN", "Enzo"), ("MOREAU", "Manon")}
    for newest, older in twice.values():
        assert newest.shared_at > older.shared_at

    jade = twice[("DAVID", "Jade")][0]
    assert jade.shared_at == datetime(2026, 5, 29, 12, 6, tzinfo=PARIS)
    assert jade.pix_total == 546
    assert jade.certifiable and jade.certifiable_competences == 16
    assert jade.levels["1.1"] == CompetenceLevel(4, 32)
    assert jade.levels["3.2"] == CompetenceLevel(4, 34)  # "multimedia", without accent
    manon = twice[("MOREAU", "Manon")][0]
    assert (manon.certifiable, manon.certifiable_competences) == (False, 4)


@needs_samples
def test_assessment_sample_reads_mastery_stages_and_badge():
    export = read_campaign_export(ASSESSMENT_SAMPLE.read_bytes())

    assert export.ok, messages(export)
    assert export.kind is CampaignKind.ASSESSMENT
    assert export.parcours == "Parcours de rentrée 5e"
    assert export.competence_codes == ("1.1", "1.2", "2.1", "2.2", "3.1", "4.1", "4.2", "5.1")
    assert export.stage_count == 4
    assert export.badge_names == ("Prêt pour la suite",)
    assert len(export.rows) == 12

    first = export.rows[0]
    assert (first.last_name, first.first_name, first.division) == ("BENALI", "Yanis", "5B")
    assert first.progression == 1
    assert first.started_at == datetime(2025, 9, 11, 10, 15, tzinfo=PARIS)
    assert first.shared_at == datetime(2025, 9, 11, 11, 5, tzinfo=PARIS)
    assert (first.stage, first.stage_count) == (3, 4)
    assert first.badges == {"Prêt pour la suite": True}
    assert first.mastery == Decimal("0.65")
    assert first.competence_mastery["1.1"] == Mastery(Decimal("0.62"), 8, 5)
    assert first.competence_mastery["1.2"] == Mastery(Decimal("1"), 6, 6)  # written "1,0"
    assert first.domain_mastery["1"] == Mastery(Decimal("0.79"), 14, 11)

    unshared = [r for r in export.rows if not r.shared]
    assert [(r.last_name, r.progression) for r in unshared] == [("FRANÇOIS", Decimal("0.446"))]
    assert unshared[0].mastery is None and unshared[0].stage is None
    assert unshared[0].competence_mastery["1.1"] == Mastery(None, None, None)


@needs_samples
def test_assessment_sample_domains_are_sums_of_their_competences():
    export = read_campaign_export(ASSESSMENT_SAMPLE.read_bytes())

    for row in export.rows:
        if not row.shared:
            continue
        for code, summed in domain_mastery_from(row.competence_mastery).items():
            read = row.domain_mastery[code]
            assert (summed.skills_total, summed.skills_mastered) == (
                read.skills_total, read.skills_mastered)
            # the sample rounds 5/8 to 0,62 (Python's round); Pix's lodash _.round gives 0,63
            assert abs(summed.rate - read.rate) <= Decimal("0.01")


@needs_samples
@pytest.mark.parametrize("sample", [PROFILES_SAMPLE, ASSESSMENT_SAMPLE], ids=lambda p: p.stem)
def test_samples_are_written_back_byte_for_byte(sample):
    data = sample.read_bytes()

    assert write_campaign_export(read_campaign_export(data)) == data


@needs_samples
def test_sample_bytes_show_pix_style_that_the_writer_keeps():
    data = PROFILES_SAMPLE.read_bytes()

    assert data.startswith(b"\xef\xbb\xbf\"Nom de l'organisation\";")
    assert b"\r\n" not in data
    assert b";301;" in data  # a digit-only class is not quoted
    assert b'"Non";"NA"' in data
    assert b";0,446;" in ASSESSMENT_SAMPLE.read_bytes()  # decimal comma, unquoted


# --- generated round trips ------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CampaignKind))
def test_generated_exports_round_trip(kind):
    data = generated(kind, badge_names=("Prêt pour la suite",), skill_names=("@web3", "@url2"))

    export = read_campaign_export(data)

    assert export.ok, messages(export)
    assert export.kind is kind
    assert write_campaign_export(export) == data
    assert read_campaign_export(write_campaign_export(export)).rows == export.rows


def test_generated_rows_are_read_back_equal():
    rows = [
        ParticipationRow(2, "MARTIN", "Léa", "3A", shared=True,
                         shared_at=datetime(2026, 5, 26, 13, 5, tzinfo=PARIS), pix_total=16,
                         certifiable=False, certifiable_competences=1,
                         levels={code: CompetenceLevel(2 if code == "1.1" else 0,
                                                       16 if code == "1.1" else 0)
                                 for code in COMPETENCE_CODES}),
        ParticipationRow(3, "PETIT", "Noé", "301",
                         levels=dict.fromkeys(COMPETENCE_CODES, CompetenceLevel(None, None))),
    ]
    data = write_profiles_collection_export(organisation="Collège", campaign_id=1, code="ABC",
                                            name="Collecte", participations=rows)

    assert read_campaign_export(data).rows == rows


def test_older_profiles_collection_format():
    data = generated(CampaignKind.PROFILES_COLLECTION, older_format=True)

    export = read_campaign_export(data)

    assert export.ok, messages(export)
    assert b'"Date de l\'envoi"' in data and b"Date et heure" not in data
    shared = next(r for r in export.rows if r.shared)
    assert (shared.shared_at.hour, shared.shared_at.minute) == (0, 0)
    assert f";{shared.shared_at:%Y-%m-%d};".encode() in data  # digits and dashes: unquoted
    assert export.older_format
    assert write_campaign_export(export) == data


def test_older_assessment_format():
    data = generated(CampaignKind.ASSESSMENT, older_format=True)

    export = read_campaign_export(data)

    assert export.ok, messages(export)
    assert b'"Nom du Profil Cible"' in data and b'"Date du partage"' in data
    assert export.parcours == "Campagne de test"
    assert write_campaign_export(export) == data


def test_exam_has_no_progression():
    data = generated(CampaignKind.EXAM)

    export = read_campaign_export(data)

    assert export.kind is CampaignKind.EXAM and export.kind.gives_mastery
    assert b"% de progression" not in data
    assert all(row.progression is None for row in export.rows)


@pytest.mark.parametrize("kind", list(CampaignKind))
def test_external_id_column_has_a_free_label(kind):
    data = generated(kind, external_id_label="Numéro d'élève (ENT)")

    export = read_campaign_export(data)

    assert export.ok, messages(export)
    assert export.external_id_label == "Numéro d'élève (ENT)"
    assert [r.external_id for r in export.rows[:3]] == ["1001", "1002", "1003"]
    assert b';"3A";1001;' in data  # a digit-only id is not quoted either


def test_no_external_id_column_without_label():
    export = read_campaign_export(generated(CampaignKind.ASSESSMENT))

    assert export.external_id_label is None
    assert all(row.external_id == "" for row in export.rows)


def test_formula_prefixes_are_added_on_write_and_removed_on_read():
    people = [Participant("=SOMME(A1)", "@lice", "-3A", "3e", external_id="+33 6 12"),
              Participant("DURAND", "Zoé", "3A", "3e", external_id="-12")]
    data = generated(CampaignKind.PROFILES_COLLECTION, participants=people,
                     external_id_label="Téléphone", share_rate=1.0)

    export = read_campaign_export(data)

    assert b"\"'=SOMME(A1)\";\"'@lice\";\"'-3A\";\"'+33 6 12\"" in data
    assert b';"3A";-12;' in data  # digits and dashes only: Pix writes it bare, unguarded
    first, second = export.rows
    assert (first.last_name, first.first_name, first.division, first.external_id) == (
        "=SOMME(A1)", "@lice", "-3A", "+33 6 12")
    assert second.external_id == "-12"


def test_skill_headers_are_guarded_like_values():
    data = generated(CampaignKind.ASSESSMENT, skill_names=("@web3",))

    export = read_campaign_export(data)

    assert b'"\'@web3"' in data
    assert export.skill_names == ("@web3",)
    assert {status for r in export.rows if r.shared for status in r.skills.values()} <= {
        "OK", "KO", "Non testé"}


def test_competence_names_match_whatever_their_apostrophes_and_accents():
    data = generated(CampaignKind.PROFILES_COLLECTION).decode("utf-8")
    data = data.replace("veille d’information", "veille d'information")
    data = data.replace("documents multimedia", "documents multimédia")

    export = read_campaign_export(data.encode("utf-8"))

    assert export.ok, messages(export)
    assert export.competence_codes == COMPETENCE_CODES


def test_writer_orders_competences_as_pix_and_rejects_unknown_codes():
    data = write_assessment_export(organisation="C", campaign_id=1, code="A", name="N",
                                   parcours="P", competence_codes=["5.1", "1.1"],
                                   participations=[])
    header = data.decode("utf-8")

    assert header.index("veille d’information") < header.index("problèmes techniques")
    with pytest.raises(ValueError):
        write_assessment_export(organisation="C", campaign_id=1, code="A", name="N",
                                parcours="P", competence_codes=["9.9"], participations=[])


def test_mastery_rate_is_written_as_javascript_would():
    assert str(mastery_rate(6, 6)) == "1"
    assert str(mastery_rate(3, 6)) == "0.5"
    assert str(mastery_rate(11, 14)) == "0.79"
    assert str(mastery_rate(1, 8)) == "0.13"  # half up, as lodash's _.round
    assert str(mastery_rate(0, 6)) == "0"


# --- what schools do to files: Excel, Windows-1252 ------------------------------------------


def resaved_by_excel(data: bytes, delimiter: str, encoding: str) -> bytes:
    """What Excel writes back: no BOM, CRLF, quotes only where needed, a local encoding."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("kind", list(CampaignKind))
@pytest.mark.parametrize("delimiter", [";", ","])
def test_excel_resaved_files_read_the_same(kind, delimiter):
    data = generated(kind)
    resaved = resaved_by_excel(data, delimiter, "cp1252")

    export = read_campaign_export(resaved)

    assert resaved[:3] != b"\xef\xbb\xbf"
    assert export.ok, messages(export)
    assert export.rows == read_campaign_export(data).rows


def test_comma_separated_file_with_bare_decimal_commas_is_refused_row_by_row():
    data = generated(CampaignKind.ASSESSMENT, share_rate=1.0)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    text = "\r\n".join(",".join(f'"{c}"' if "," in c and i == 0 else c for c in row)
                       for i, row in enumerate(rows))

    export = read_campaign_export(text.encode("cp1252"))

    assert not export.ok and not export.rows
    assert "plus de cellules que l’en-tête" in messages(export)[0]


def test_windows_1252_file_reads_the_same():
    data = generated(CampaignKind.PROFILES_COLLECTION)
    legacy = data.decode("utf-8-sig").encode("cp1252")

    assert read_campaign_export(legacy).rows == read_campaign_export(data).rows


# --- bad input ------------------------------------------------------------------------------


def test_missing_columns_are_named_one_by_one():
    data = generated(CampaignKind.PROFILES_COLLECTION)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    dropped = {"Nombre de pix total", "Nombre de pix pour la compétence Interagir"}
    keep = [i for i, header in enumerate(rows[0]) if header not in dropped]
    text = "\n".join(";".join(row[i] for i in keep) for row in rows)

    export = read_campaign_export(text.encode("utf-8"))

    assert messages(export) == [
        "Colonne manquante : « Nombre de pix total ».",
        "Colonne manquante pour la compétence 2.1 : « Nombre de pix pour la compétence "
        "Interagir ».",
    ]
    assert export.errors[1].column == "Nombre de pix pour la compétence Interagir"
    assert export.errors[0].line is None and not export.rows


def test_missing_domain_column_of_an_assessment():
    data = generated(CampaignKind.ASSESSMENT).decode("utf-8")
    data = data.replace("Acquis maitrisés du domaine Création de contenu", "Autre")

    export = read_campaign_export(data.encode("utf-8"))

    assert messages(export) == ["Colonne manquante pour le domaine 3 : « Acquis maitrisés du "
                                "domaine Création de contenu »."]


def test_unknown_competence_in_a_header():
    data = generated(CampaignKind.ASSESSMENT).decode("utf-8")
    data = data.replace("compétence Interagir", "compétence Jongler", 1)

    export = read_campaign_export(data.encode("utf-8"))

    assert "Compétence inconnue dans l’en-tête « % de maitrise des acquis de la compétence " \
           "Jongler »." in messages(export)


def first_shared_line(data: bytes) -> int:
    export = read_campaign_export(data)
    return next(r.line for r in export.rows if r.shared) - 1  # index in the split text


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        (';"Oui";', ';"Peut-être";', "Envoi (O/N)", "« Oui » ou « Non » attendu"),
        (";16;", ";seize;", "Nombre de compétences certifiables", "nombre entier attendu"),
        (":", "h", "Date et heure de l'envoi (Europe/Paris)", "date et heure invalides"),
    ],
)
def test_bad_cells_are_reported_with_line_and_column(old, new, column, message):
    data = generated(CampaignKind.PROFILES_COLLECTION, share_rate=1.0, resend_rate=0.0,
                     ability=lambda participant: 5.0)
    index = first_shared_line(data)
    bad = replace_line(data, index, lambda line: line.replace(old, new, 1))

    export = read_campaign_export(bad)

    error = export.errors[0]
    assert (error.line, error.column) == (index + 1, column)
    assert message in error.text
    assert len(export.rows) == len(read_campaign_export(data).rows) - 1


def profile_row(**changes) -> ParticipationRow:
    levels = {code: CompetenceLevel(1, 8) for code in COMPETENCE_CODES}
    levels.update(changes.pop("levels", {}))
    values = {"shared": True, "shared_at": datetime(2026, 5, 26, 13, 5, tzinfo=PARIS),
              "pix_total": 128, "certifiable": True, "certifiable_competences": 16,
              "levels": levels, **changes}
    return ParticipationRow(2, "MARTIN", "Léa", "3A", **values)


def profiles_file(*rows: ParticipationRow) -> bytes:
    return write_profiles_collection_export(organisation="Collège", campaign_id=5, code="ABC",
                                            name="Collecte", participations=rows)


def test_level_outside_the_framework():
    row = profile_row(levels={"2.1": CompetenceLevel(9, 72)})

    export = read_campaign_export(profiles_file(row))

    assert messages(export) == [
        "Ligne 2, colonne « Niveau pour la compétence Interagir » : niveau entre 0 et 8 "
        "attendu, « 9 » trouvé",
        "Ligne 2, colonne « Nombre de pix pour la compétence Interagir » : nombre de pix entre "
        "0 et 64 attendu, « 72 » trouvé",
    ]


def test_fraction_outside_zero_one_and_mastered_above_targeted():
    row = ParticipationRow(2, "PETIT", "Noé", "5A", progression=Decimal(1), shared=True,
                           started_at=datetime(2025, 9, 8, 8, 0, tzinfo=PARIS),
                           shared_at=datetime(2025, 9, 8, 9, 0, tzinfo=PARIS),
                           mastery=Decimal("1.5"),
                           competence_mastery={"2.1": Mastery(Decimal("0.5"), 4, 6)},
                           domain_mastery={"2": Mastery(Decimal("0.5"), 4, 2)})
    data = write_assessment_export(organisation="C", campaign_id=1, code="A", name="N",
                                   parcours="P", competence_codes=["2.1"], participations=[row])

    export = read_campaign_export(data)

    assert messages(export) == [
        "Ligne 2, colonne « % maitrise de l'ensemble des acquis du profil » : taux entre 0 et 1 "
        "attendu, « 1,5 » trouvé",
        "Ligne 2, colonne « Acquis maitrisés dans la compétence Interagir » : 6 acquis maîtrisés "
        "sur 4 : plus que le nombre d’acquis",
    ]


def test_truncated_row():
    data = generated(CampaignKind.PROFILES_COLLECTION, share_rate=1.0)
    cut = data.rstrip(b"\n")[:-25]

    export = read_campaign_export(cut)

    last_line = cut.count(b"\n") + 1
    assert [(e.line, e.text) for e in export.errors] == [
        (last_line, "ligne incomplète : des cellules manquent en fin de ligne (fichier coupé ?)")]
    assert len(export.rows) == last_line - 2


def test_headers_without_participant():
    header_only = generated(CampaignKind.ASSESSMENT).split(b"\n")[0] + b"\n"

    export = read_campaign_export(header_only)

    assert export.kind is CampaignKind.ASSESSMENT
    assert messages(export) == ["Le fichier ne contient aucun participant : seule la ligne "
                                "d’en-tête est présente."]


def test_shared_rows_holding_only_na_make_one_file_error():
    data = generated(CampaignKind.PROFILES_COLLECTION, share_rate=1.0, resend_rate=0.0)
    lines = data.decode("utf-8").split("\n")
    blank = [";".join(line.split(";")[:8] + ['"NA"'] * 36) if i and line else line
             for i, line in enumerate(lines)]

    export = read_campaign_export("\n".join(blank).encode("utf-8"))

    assert messages(export) == [
        "Le fichier ne contient aucun résultat : toutes les participations partagées n’ont que "
        "des valeurs « NA ». Téléchargez à nouveau l’export depuis Pix Orga."]
    assert not export.rows


def test_one_shared_row_with_only_na_among_good_ones():
    data = generated(CampaignKind.PROFILES_COLLECTION, share_rate=1.0, resend_rate=0.0)
    bad = replace_line(data, 2, lambda line: ";".join(line.split(";")[:8] + ['"NA"'] * 36))

    export = read_campaign_export(bad)

    assert [(e.line, e.text) for e in export.errors] == [
        (3, "résultats partagés mais toutes les valeurs sont « NA »")]


def test_one_na_cell_in_a_shared_row():
    export = read_campaign_export(profiles_file(profile_row(pix_total=None)))

    assert messages(export) == [
        "Ligne 2, colonne « Nombre de pix total » : valeur manquante (« NA ») alors que les "
        "résultats sont partagés"]


def test_rows_of_another_campaign():
    first = profiles_file(profile_row())
    other = write_profiles_collection_export(organisation="Collège", campaign_id=6, code="X",
                                             name="Autre", participations=[profile_row()])

    export = read_campaign_export(first + other.split(b"\n", 1)[1])

    assert [e.text for e in export.errors] == [
        "ligne d’une autre campagne (6 au lieu de 5) : un fichier, une campagne"]


PUPIL_LIST = (
    "Identifiant unique*;Premier prénom*;Deuxième prénom;Troisième prénom;Nom de famille*;"
    "Nom d'usage;Code sexe*;Date de naissance (jj/mm/aaaa)*;Code commune naissance**;"
    "Libellé commune naissance**;Code département naissance*;Code pays naissance*;Statut*;"
    "Code MEF*;Division*\n"
    "5942859575A;Noé;;;PETIT;;M;07/07/2013;17347;;17;99100;ST;10110001110;5A\n"
).encode("cp1252")
SIECLE = ('<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="3.1">'
          "<PARAMETRES><UAJ>0170099X</UAJ></PARAMETRES></BEE_ELEVES>\n").encode("iso-8859-15")
CERTIFICATION = ("Numéro de certification;Prénom;Nom;Date de naissance;Lieu de naissance;"
                 "Identifiant Externe;Statut;Nombre de Pix\n"
                 "123;Noé;PETIT;07/07/2011;La Rochelle;;Validée;312\n").encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PUPIL_LIST, "Ce fichier ressemble à une liste d’élèves, pas à un export de résultats "
                     "de campagne Pix Orga."),
        (SIECLE, "Ce fichier ressemble à une base élèves SIECLE (XML), pas à un export de "
                 "résultats de campagne Pix Orga."),
        (CERTIFICATION, "Ce fichier ressemble à des résultats de certification, pas à un "
                        "export de résultats de campagne Pix Orga."),
        (b"PK\x03\x04\x14\x00\x00\x00", "Ce fichier est une archive ZIP (un classeur Excel ou "
                                        "une base élèves SIECLE compressée ?), pas un export "
                                        "CSV de résultats de campagne Pix Orga."),
        (b"a;b\n1;2\n", "Ce fichier n’est pas un export de résultats de campagne Pix Orga : il "
                        "n’a ni la colonne « Envoi (O/N) » (collecte de profils) ni la colonne "
                        "« Partage (O/N) » (campagne d’évaluation)."),
        (b"", "Le fichier est vide."),
    ],
    ids=["pupil list", "SIECLE", "certification", "zip", "other csv", "empty"],
)
def test_other_files_get_one_clear_message(data, message):
    export = read_campaign_export(data)

    assert export.kind is None and not export.rows
    assert messages(export) == [message]


@needs_samples
@pytest.mark.parametrize("name", ["base-eleves.csv", "siecle-eleves.xml",
                                  "certification/20260512_resultats_301.csv"])
def test_other_sample_files_are_recognised(name):
    export = read_campaign_export((SAMPLES / name).read_bytes())

    assert export.kind is None
    assert messages(export)[0].startswith("Ce fichier ressemble à")
