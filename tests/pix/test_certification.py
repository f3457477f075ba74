"""Certification results by class: the real-format samples, both layouts, every bad input,
and the fake results generator."""

import io
import random
import statistics
import zipfile
from datetime import date
from pathlib import Path

import pytest

from pix.archives import InflateBudget
from pix.campaigns import CampaignKind
from pix.candidates import Candidate, write_candidates_csv
from pix.certification import (
    CertificationResults,
    CertificationRow,
    CertificationStatus,
    parse_results_filename,
    read_certification_archive,
    read_certification_results,
    results_filename,
    write_certification_archive,
    write_certification_results,
)
from pix.certification_format import OLDER_HEADERS, newer_headers, status_from_label
from pix.fake_results import (
    NOT_VALIDATED_WEIGHTS,
    Participant,
    fake_campaign_export_bytes,
    fake_certification_files,
    fake_certification_results,
    fake_certification_results_by_division,
    fake_certification_zip,
)
from pix.fakes import fake_establishment_pupils, fake_pupils
from pix.pupils import write_pupil_csv, write_siecle_xml
from pix.referential import COMPETENCE_CODES
from pix.rules import BELOW_V3_BANDS, PIX_PER_LEVEL, V3_MAX_PIX, v3_global_level

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "certification"
SAMPLE_301 = SAMPLES / "20260512_resultats_301.csv"
SAMPLE_3A = SAMPLES / "20260512_resultats_3A.csv"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="no ../shared/samples here")

TAKEN_ON = date(2026, 5, 5)
FILE_DATE = date(2026, 5, 12)


def levels(*values):
    """16 levels from a short spec: the values given, then `-` (None)."""
    padded = list(values) + [None] * (len(COMPETENCE_CODES) - len(values))
    return dict(zip(COMPETENCE_CODES, padded, strict=True))


def row(number="583295", status=CertificationStatus.VALIDATED, pix=180, competences=None,
        **fields):
    defaults = {
        "line": 2, "certification_number": number, "first_name": "Loïc",
        "last_name": "COULIBALY", "birthdate": date(2011, 7, 20), "birth_place": "LA ROCHELLE",
        "external_id": "", "status": status, "status_label": "", "pix": pix,
        "competence_levels": competences if competences is not None else levels(3, 0, 2),
        "session": "7001", "taken_on": TAKEN_ON,
    }
    return CertificationRow(**{**defaults, **fields})


# A class of four as Pix writes it (older layout): validated, rejected, cancelled, in error.
CLASS_ROWS = [
    row("100001", pix=180, competences=levels(None, 1, 2, None, 3, 1, 1, 4, 1, 0, 1, None, 3,
                                              2, 2, None)),
    row("100002", CertificationStatus.REJECTED, 0, levels(*[0] * 16), first_name="Sofia",
        last_name="GARCIA", line=3),
    row("100003", CertificationStatus.CANCELLED, None, levels(), first_name="Enzo",
        last_name="MARTIN", line=4),
    row("100004", CertificationStatus.ERROR, None, levels(), first_name="Nour",
        last_name="DURAND", line=5),
]
CLASS_FILE = write_certification_results(CLASS_ROWS)


def read(data: bytes, filename: str = "20260512_resultats_3A.csv") -> CertificationResults:
    return read_certification_results(data, filename=filename)


def messages(results: CertificationResults) -> list[str]:
    return [str(error) for error in results.errors]


def with_cell(data: bytes, line: int, header: str, value: str) -> bytes:
    """`data` (older layout, no `;` inside values) with one cell replaced; line 1 = header."""
    lines = data.decode("utf-8").split("\n")
    cells = lines[line - 1].split(";")
    cells[OLDER_HEADERS.index(header)] = value
    lines[line - 1] = ";".join(cells)
    return "\n".join(lines).encode("utf-8")


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- the real-format samples ----------------------------------------------------------------


@needs_samples
def test_sample_301_reads_every_row_with_its_class_and_birthdates():
    results = read_certification_results(SAMPLE_301.read_bytes(), filename=SAMPLE_301.name)

    assert results.ok, messages(results)
    assert not results.warnings
    assert (results.division, results.file_date) == ("301", FILE_DATE)
    assert not results.newer_layout
    assert len(results.rows) == 6
    assert {r.status for r in results.rows} == {CertificationStatus.VALIDATED}
    loic = results.rows[0]
    assert (loic.certification_number, loic.first_name, loic.last_name) == (
        "583295", "Loïc", "COULIBALY")
    assert loic.birthdate == date(2011, 7, 20)
    assert (loic.birth_place, loic.external_id) == ("LA ROCHELLE", "")
    assert (loic.status_label, loic.pix) == ("Validée", 180)
    assert (loic.session, loic.taken_on) == ("7001", TAKEN_ON)
    assert loic.competence_levels["1.1"] is None  # "-": not tested
    assert loic.competence_levels["1.2"] == 1
    assert (loic.global_level, loic.score_pix, loic.certification_type, loic.centre) == (
        "", None, "", "")
    manon = results.rows[-1]
    assert (manon.last_name, manon.pix) == ("MOREAU", 52)
    assert manon.competence_levels["1.2"] == 0  # tested, not certified: 0, not "-"
    assert manon.competence_levels["1.1"] is None
    assert manon.certified_competences == 4


@needs_samples
def test_sample_3a_keeps_rejected_zeros_and_error_dashes():
    results = read_certification_results(SAMPLE_3A.read_bytes(), filename=SAMPLE_3A.name)

    assert results.ok, messages(results)
    assert results.division == "3A"
    by_name = {r.last_name: r for r in results.rows}
    assert [r.status for r in results.rows] == [
        CertificationStatus.VALIDATED, CertificationStatus.VALIDATED,
        CertificationStatus.REJECTED, CertificationStatus.ERROR, CertificationStatus.REJECTED]
    garcia = by_name["GARCIA"]
    assert (garcia.status_label, garcia.pix) == ("Rejetée", 0)
    assert set(garcia.competence_levels.values()) == {0}
    martin = by_name["MARTIN"]
    assert (martin.status_label, martin.pix) == ("En erreur", None)
    assert set(martin.competence_levels.values()) == {None}
    assert by_name["LAMBERT"].competence_levels["3.2"] is None
    assert by_name["MERCIER"].birthdate == date(2011, 11, 9)


@needs_samples
@pytest.mark.parametrize("sample", [SAMPLE_301, SAMPLE_3A], ids=lambda p: p.stem)
def test_samples_are_written_back_byte_for_byte(sample):
    data = sample.read_bytes()

    assert write_certification_results(read(data).rows) == data


@needs_samples
def test_sample_bytes_show_pix_older_style():
    data = SAMPLE_3A.read_bytes()

    assert data.startswith(b'\xef\xbb\xbf"Num\xc3\xa9ro de certification";')
    assert b"\r\n" not in data and data.endswith(b"\n")
    assert b';"";7002;"05/05/2026"\n' in data  # empty text quoted, digit-only session bare
    assert b';"En erreur";-;-;' in data  # the dash is bare


@needs_samples
def test_samples_in_one_zip_keep_each_class():
    archive = zipped({f"resultats/{SAMPLE_301.name}": SAMPLE_301.read_bytes(),
                      SAMPLE_3A.name: SAMPLE_3A.read_bytes()})

    results = read_certification_archive(archive, filename="resultats.zip")

    assert [(r.division, r.filename, len(r.rows), r.ok) for r in results] == [
        ("301", SAMPLE_301.name, 6, True), ("3A", SAMPLE_3A.name, 5, True)]


@needs_samples
def test_samples_written_in_the_newer_layout_read_the_same():
    for sample in (SAMPLE_301, SAMPLE_3A):
        older = read(sample.read_bytes()).rows
        newer = read(write_certification_results(older, newer_layout=True))

        assert newer.ok and newer.newer_layout
        assert [(r.status, r.pix, r.score_pix, dict(r.competence_levels)) for r in newer.rows] \
            == [(r.status, r.pix, r.pix, dict(r.competence_levels)) for r in older]


# --- both layouts through the writer --------------------------------------------------------


def test_older_layout_round_trip():
    results = read(CLASS_FILE)

    assert results.ok, messages(results)
    assert [r.status_label for r in results.rows] == ["Validée", "Rejetée", "Annulée",
                                                     "En erreur"]
    assert [(r.pix, r.competence_levels) for r in results.rows] == [
        (r.pix, r.competence_levels) for r in CLASS_ROWS]
    assert write_certification_results(results.rows) == CLASS_FILE


def test_older_layout_style():
    text = CLASS_FILE.decode("utf-8")

    assert text.startswith("\ufeff" + ";".join(f'"{h}"' for h in OLDER_HEADERS) + "\n")
    assert text.endswith('"05/05/2026"\n') and "\r" not in text
    assert '100001;"Loïc";"COULIBALY";"20/07/2011";"LA ROCHELLE";"";"Validée";180;-;1;2;' \
        in text
    assert ';"Annulée";-;-;-;' in text
    assert ';"";7001;"05/05/2026"' in text


def test_newer_layout_style_and_round_trip():
    rows = [
        row("100001", pix=420, competences=levels(3, 4, 0), certification_type="Pix",
            global_level="Indépendant 2", score_pix=420, centre="Collège Jean Moulin",
            complementary={"CléA": "Validée"}),
        row("100002", CertificationStatus.REJECTED, 0, levels(), line=3,
            certification_type="Pix", score_pix=0, centre="Collège Jean Moulin",
            complementary={"CléA": "Non obtenue"}),
    ]

    data = write_certification_results(rows, newer_layout=True)
    text = data.decode("utf-8")

    assert text.split("\n")[0] == "\ufeff" + ";".join(
        f'"{h}"' for h in newer_headers(("CléA",)))
    assert "Nombre de Pix" not in text and not text.endswith("\n")  # json2csv: no final LF
    assert ';"Pix";"Validée";"Validée";"Indépendant 2";420;3;4;0;"-";"-";' in text
    assert ';"Pix";"Non obtenue";"Non obtenue";"-";0;"-";"-";' in text  # label of the layout
    assert ';"";7001;"Collège Jean Moulin";"05/05/2026"' in text
    results = read(data)
    assert results.ok and results.newer_layout, messages(results)
    assert results.complementary_labels == ("CléA",)
    assert [(r.status_label, r.pix, r.score_pix, r.global_level, dict(r.complementary))
            for r in results.rows] == [("Validée", 420, 420, "Indépendant 2",
                                        {"CléA": "Validée"}),
                                       ("Non obtenue", 0, 0, "", {"CléA": "Non obtenue"})]
    assert write_certification_results(results.rows, newer_layout=True) == data


NEWER_FILE = (
    "\ufeff\"Numéro de certification\";\"Prénom\";\"Nom\";\"Date de naissance\";\"Lieu de "
    "naissance\";\"Identifiant Externe\";\"Type de certification\";\"Statut\";\"Niveau\";"
    "\"Score en Pix\";\"1.1\";\"1.2\";\"1.3\";\"2.1\";\"2.2\";\"2.3\";\"2.4\";\"3.1\";\"3.2\";"
    "\"3.3\";\"3.4\";\"4.1\";\"4.2\";\"4.3\";\"5.1\";\"5.2\";\"Commentaire jury pour "
    "l’organisation\";\"Session\";\"Centre de certification\";\"Date de passage de la "
    "certification\"\n"
    "812345;\"Inès\";\"BENALI\";\"14/02/2011\";\"Rochefort\";\"1001\";\"Pix\";\"Validée\";"
    "\"Novice 2\";201;2;1;\"-\";1;2;2;1;\"-\";1;1;0;2;1;2;1;0;\"\";9001;\"Collège Jean "
    "Moulin\";\"05/05/2026\"\n"
    "812346;\"Hugo\";\"PETIT\";\"30/06/2011\";\"Rochefort\";\"1002\";\"Pix\";\"Non obtenue\";"
    "\"-\";0;\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";\"-\";"
    "\"-\";\"-\";\"Le nombre de réponses correctes est insuffisant.\";9001;\"Collège Jean "
    "Moulin\";\"05/05/2026\""
).encode("utf-8")


def test_a_file_in_pix_current_style_reads_and_writes_back():
    results = read(NEWER_FILE, "20260512_resultats_3B.csv")

    assert results.ok and not results.warnings, messages(results)
    ines, hugo = results.rows
    assert (ines.certification_type, ines.global_level, ines.pix, ines.score_pix) == (
        "Pix", "Novice 2", 201, 201)
    assert (ines.external_id, ines.centre, ines.session) == ("1001", "Collège Jean Moulin",
                                                            "9001")
    assert (ines.competence_levels["1.3"], ines.competence_levels["3.4"]) == (None, 0)
    assert (hugo.status, hugo.status_label, hugo.pix) == (
        CertificationStatus.REJECTED, "Non obtenue", 0)
    assert set(hugo.competence_levels.values()) == {None}
    assert hugo.jury_comment.startswith("Le nombre de réponses")
    assert write_certification_results(results.rows, newer_layout=True) == NEWER_FILE


def test_columns_are_found_by_name_in_any_order():
    text = CLASS_FILE.decode("utf-8").removeprefix("\ufeff")
    table = [line.split(";") for line in text.rstrip("\n").split("\n")]
    order = list(reversed(range(len(table[0]))))
    shuffled = "\n".join(";".join(line[i] for i in order) for line in table).encode()

    results = read(shuffled)

    assert results.ok, messages(results)
    assert [(r.certification_number, r.status, r.pix, r.competence_levels) for r in
            results.rows] == [(r.certification_number, r.status, r.pix, r.competence_levels)
                              for r in CLASS_ROWS]


def test_excel_resaved_file_reads_the_same():
    """Comma separated, no BOM, Windows-1252, the typographic apostrophe lost."""
    text = CLASS_FILE.decode("utf-8").removeprefix("\ufeff").replace(";", ",")
    data = text.replace("’", "'").encode("cp1252")

    results = read(data)

    assert results.ok, messages(results)
    assert [r.first_name for r in results.rows] == ["Loïc", "Sofia", "Enzo", "Nour"]


def test_status_labels_read_whatever_their_case_and_accents():
    assert status_from_label("VALIDEE") is CertificationStatus.VALIDATED
    assert status_from_label("non obtenue") is CertificationStatus.REJECTED
    assert status_from_label("Démarrée") is CertificationStatus.STARTED
    assert status_from_label("Réussie") is None
    assert CertificationStatus.REJECTED.label == "Rejetée"
    assert CertificationStatus.REJECTED.layout_label(newer_layout=True) == "Non obtenue"


def test_a_label_that_contradicts_the_status_is_not_written():
    data = write_certification_results([row(status_label="Annulée")])

    assert '"Validée"'.encode() in data and b"Annul" not in data


def test_formula_guard_on_texts_but_never_on_the_dash():
    rows = [row(last_name="=HYPERLINK(1)", first_name="@lice", external_id="-3A")]

    for newer in (False, True):
        data = write_certification_results(rows, newer_layout=newer)
        assert b"\"'@lice\";\"'=HYPERLINK(1)\"" in data  # first name, then last name
        assert b"'-\"" not in data and b";'-;" not in data
        read_back = read(data).rows[0]
        assert (read_back.last_name, read_back.first_name) == ("=HYPERLINK(1)", "@lice")
    assert b';-3A;' not in write_certification_results(rows)  # not only digits and dashes


def test_started_status_reads():
    data = write_certification_results([row(status=CertificationStatus.STARTED, pix=None,
                                            competences=levels())])

    results = read(data)

    assert results.ok and results.rows[0].status is CertificationStatus.STARTED
    assert results.rows[0].status_label == "Démarrée"


# --- file names and archives ----------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("20260512_resultats_301.csv", ("301", date(2026, 5, 12))),
    ("C:\\Users\\rupn\\Downloads\\20260512_resultats_3A.csv", ("3A", date(2026, 5, 12))),
    ("telechargements/20260512_resultats_TPRO MELEC.csv", ("TPRO MELEC", date(2026, 5, 12))),
    ("20260512_resultats_3A (1).csv", ("3A", date(2026, 5, 12))),
    ("20260512_RESULTATS_3A.CSV", ("3A", date(2026, 5, 12))),
    ("20260505_1430_resultats_session_7001.csv", ("", date(2026, 5, 5))),
    ("20261332_resultats_3A.csv", ("3A", None)),
    ("resultats.csv", ("", None)),
    ("", ("", None)),
])
def test_division_and_date_from_the_file_name(name, expected):
    assert parse_results_filename(name) == expected


def test_file_name_is_pix_one():
    assert results_filename("301", FILE_DATE) == "20260512_resultats_301.csv"


def test_unexpected_file_name_is_a_warning_and_no_class():
    results = read(CLASS_FILE, "export.csv")

    assert results.ok and results.division == ""
    assert [str(w) for w in results.warnings] == [
        "Le nom du fichier « export.csv » n’est pas celui d’un fichier de résultats par classe "
        "(AAAAMMJJ_resultats_<classe>.csv) : la classe n’a pas pu en être déduite."]
    assert read_certification_results(CLASS_FILE).warnings == []  # no name, no warning


def test_archive_reads_each_csv_with_its_own_class_and_skips_the_rest():
    archive = zipped({
        "20260512_resultats_3A.csv": CLASS_FILE,
        "__MACOSX/._20260512_resultats_3A.csv": b"\x00\x05\x16\x07",
        "lisez-moi.txt": b"rien",
        "classes/20260512_resultats_301.csv": CLASS_FILE,
    })

    results = read_certification_archive(archive)

    assert [(r.division, r.file_date, len(r.rows)) for r in results] == [
        ("3A", FILE_DATE, 4), ("301", FILE_DATE, 4)]


def test_a_plain_csv_is_an_archive_of_one():
    results = read_certification_archive(CLASS_FILE, filename="20260512_resultats_3A.csv")

    assert [(r.division, len(r.rows)) for r in results] == [("3A", 4)]


def test_written_archive_is_deterministic_and_reads_back():
    files = {results_filename(d, FILE_DATE): CLASS_FILE for d in ("3A", "3B")}

    archive = write_certification_archive(files, when=FILE_DATE)

    assert archive == write_certification_archive(files, when=FILE_DATE)
    assert [r.division for r in read_certification_archive(archive)] == ["3A", "3B"]


@pytest.mark.parametrize("archive, message", [
    (zipped({"lisez-moi.txt": b"rien"}),
     "L’archive ZIP ne contient aucun fichier CSV de résultats de certification."),
    (zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
     "Ce fichier est un classeur (Excel ou OpenDocument), pas un fichier CSV de résultats de "
     "certification : téléchargez à nouveau les résultats depuis Pix Orga, sans les ouvrir ni "
     "les enregistrer dans un tableur."),
    (b"PK\x03\x04 damaged beyond repair", "L’archive ZIP est illisible ou endommagée."),
])
def test_unusable_archives_give_one_error(archive, message):
    results = read_certification_archive(archive, filename="resultats.zip")

    assert len(results) == 1
    assert (results[0].filename, results[0].rows, messages(results[0])) == (
        "resultats.zip", [], [message])


def test_archive_too_large_once_unzipped():
    archive = zipped({"20260512_resultats_3A.csv": CLASS_FILE,
                      "20260512_resultats_3B.csv": CLASS_FILE})

    results = read_certification_archive(
        archive, budget=InflateBudget(limit=len(CLASS_FILE) + 10))

    assert messages(results[0]) == [
        "L’archive ZIP est trop volumineuse une fois décompressée (plus de 0 Mo) : ce n’est "
        "pas un export de Pix ou de SIECLE."]


# --- bad input ------------------------------------------------------------------------------


def test_missing_columns_are_named_one_by_one():
    text = CLASS_FILE.decode("utf-8")
    data = (text.replace('"Statut"', '"Etat"').replace('"Nombre de Pix"', '"Pix"')
            .replace('"1.1"', '"1-1"').encode("utf-8"))

    results = read(data)

    assert messages(results) == ["Colonne manquante : « Statut ».",
                                 "Colonne manquante : « Nombre de Pix ».",
                                 "Colonne manquante : « 1.1 »."]
    assert results.errors[0].line is None and not results.rows


@pytest.mark.parametrize("header, value, message", [
    ("Statut", '"Validé ?"', "statut inconnu « Validé ? » (Validée, Rejetée, Annulée, En "
                             "erreur, Démarrée, Non obtenue attendu)"),
    ("Statut", '""', "valeur manquante"),
    ("Nombre de Pix", "12a", "nombre de pix entre 0 et 1024 ou « - » attendu, « 12a » trouvé"),
    ("Nombre de Pix", "-12", "nombre de pix entre 0 et 1024 ou « - » attendu, « -12 » trouvé"),
    ("Nombre de Pix", "1025", "nombre de pix entre 0 et 1024 ou « - » attendu, « 1025 » "
                              "trouvé"),
    ("Nombre de Pix", '""', "valeur manquante (un nombre de pix ou « - » attendu)"),
    ("1.2", "9", "niveau entre 0 et 8 ou « - » attendu, « 9 » trouvé"),
    ("1.2", "x", "niveau entre 0 et 8 ou « - » attendu, « x » trouvé"),
    ("1.2", "2,5", "niveau entre 0 et 8 ou « - » attendu, « 2,5 » trouvé"),
    ("1.2", "", "valeur manquante (un niveau ou « - » attendu)"),
    ("Date de naissance", '"31/02/2011"', "date invalide « 31/02/2011 » (jj/mm/aaaa attendu)"),
    ("Date de passage de la certification", '"le 5 mai"',
     "date invalide « le 5 mai » (jj/mm/aaaa attendu)"),
    ("Numéro de certification", '""', "valeur manquante"),
    ("Nom", '""', "nom du candidat vide"),
])
def test_bad_cells_are_reported_with_line_and_column(header, value, message):
    results = read(with_cell(CLASS_FILE, 3, header, value))

    assert [(e.line, e.column, e.text) for e in results.errors] == [(3, header, message)]
    assert len(results.rows) == 3  # the other rows are kept, the bad one is not
    assert not results.ok


def test_validated_without_a_score_is_an_error():
    results = read(with_cell(CLASS_FILE, 2, "Nombre de Pix", "-"))

    assert [str(e) for e in results.errors] == [
        "Ligne 2, colonne « Nombre de Pix » : certification validée sans score : « - » au lieu "
        "d’un nombre de pix"]


def test_inconsistencies_pix_never_writes_are_warnings_only():
    data = with_cell(with_cell(CLASS_FILE, 3, "Nombre de Pix", "48"), 4, "1.1", "2")

    results = read(data)

    assert results.ok and len(results.rows) == 4
    assert [str(w) for w in results.warnings] == [
        "Ligne 3, colonne « Nombre de Pix » : certification non obtenue avec 48 pix (Pix écrit "
        "0)",
        "Ligne 4, colonne « Statut » : certification « Annulée » avec un score ou des niveaux "
        "(Pix écrit « - »)",
    ]
    assert results.rows[1].pix == 48  # kept as read


def test_global_level_that_contradicts_the_score_is_a_warning():
    data = NEWER_FILE.replace(b'"Novice 2";201', b'"Expert 1";201')

    results = read(data)

    assert results.ok
    assert [w.text for w in results.warnings] == [
        "niveau « Expert 1 » incohérent avec le score de 201 pix"]


def test_same_certification_number_twice():
    data = with_cell(CLASS_FILE, 4, "Numéro de certification", "100002")

    results = read(data)

    assert [str(e) for e in results.errors] == [
        "Ligne 4, colonne « Numéro de certification » : numéro de certification 100002 déjà "
        "présent ligne 3"]
    assert len(results.rows) == 3


def test_truncated_row():
    lines = CLASS_FILE.decode("utf-8").split("\n")
    lines[2] = lines[2][: lines[2].index(";0;0;0;")]  # cut within the competences
    results = read("\n".join(lines).encode("utf-8"))

    assert [(e.line, e.text) for e in results.errors] == [
        (3, "ligne incomplète : des cellules manquent en fin de ligne (fichier coupé ?)")]
    assert len(results.rows) == 3


def test_row_with_more_cells_than_headers():
    lines = CLASS_FILE.decode("utf-8").split("\n")
    lines[1] += ";surplus"

    results = read("\n".join(lines).encode("utf-8"))

    assert [(e.line, e.column) for e in results.errors] == [(2, None)]
    assert "plus de cellules que l’en-tête" in results.errors[0].text


def test_headers_without_rows():
    results = read(CLASS_FILE.split(b"\n")[0] + b"\n")

    assert messages(results) == ["Le fichier ne contient aucun résultat de certification : "
                                 "seule la ligne d’en-tête est présente."]


PARTICIPANTS = [Participant("MARTIN", "Léa", "3A", "3e"), Participant("PETIT", "Noé", "3A", "3e")]


def _pupils():
    return fake_pupils("3A", "3e", 3, school_year=2025, rng=random.Random(1))


def _candidates_csv():
    return write_candidates_csv([Candidate("MARTIN", "Léa", date(2011, 3, 4), "F",
                                           insee_code="17300")])


@pytest.mark.parametrize("make, message", [
    (lambda: fake_campaign_export_bytes(CampaignKind.PROFILES_COLLECTION, PARTICIPANTS,
                                        rng=random.Random(1), code="QWRTZK482",
                                        name="Collecte"),
     "Ce fichier ressemble à un export de résultats de campagne Pix Orga, pas à des résultats "
     "de certification."),
    (lambda: write_pupil_csv(_pupils()),
     "Ce fichier ressemble à une liste d’élèves, pas à des résultats de certification."),
    (lambda: write_siecle_xml(_pupils(), uai="0170099X", school_year=2025),
     "Ce fichier ressemble à une base élèves SIECLE (XML), pas à des résultats de "
     "certification."),
    (_candidates_csv,
     "Ce fichier ressemble à une liste de candidats à la certification (Pix Certif), pas à des "
     "résultats de certification."),
    (lambda: b"Nom;Prenom\nMARTIN;Lea\n",
     "Ce fichier n’est pas un fichier de résultats de certification Pix : il n’a pas de colonne "
     "« Numéro de certification »."),
    (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
     "Ce fichier est un PDF (une attestation ?), pas un fichier CSV de résultats de "
     "certification."),
    (lambda: zipped({"20260512_resultats_3A.csv": CLASS_FILE}),
     "Ce fichier est une archive ZIP, pas un fichier CSV de résultats de certification."),
    (lambda: b"<html><body>Erreur 502</body></html>",
     "Ce fichier est un fichier XML ou HTML, pas un fichier CSV de résultats de certification."),
    (lambda: b"", "Le fichier est vide."),
    (lambda: b"\xef\xbb\xbf  \n", "Le fichier est vide."),
])
def test_other_files_get_one_clear_message(make, message):
    results = read(make())

    assert (results.rows, messages(results)) == ([], [message])


@pytest.mark.parametrize("name", [
    "Resultats-Collecte-profils-3e-412345-2026-06-01-1012.csv",
    "Resultats-Rentree-5e-418877-2025-09-30-1700.csv", "base-eleves.csv", "siecle-eleves.xml",
])
def test_other_sample_files_are_recognised(samples, name):
    results = read((samples / name).read_bytes())

    assert messages(results)[0].startswith("Ce fichier ressemble à")


# --- fake certification results -------------------------------------------------------------


def school(count_by_division=None, seed=3):
    divisions = count_by_division or {"3A": 28, "301": 27, "3C": 25}
    return fake_establishment_pupils(divisions, school_year=2025, rng=random.Random(seed))


@pytest.mark.parametrize("newer", [False, True], ids=["older", "newer"])
def test_fake_files_are_deterministic(newer):
    def build():
        by_division = fake_certification_results_by_division(
            school(), rng=random.Random(5), taken_on=TAKEN_ON, newer_layout=newer)
        files = fake_certification_files(by_division, file_date=FILE_DATE, newer_layout=newer)
        return files, fake_certification_zip(files, file_date=FILE_DATE)

    assert build() == build()
    files, archive = build()
    assert list(files) == ["20260512_resultats_3A.csv", "20260512_resultats_301.csv",
                           "20260512_resultats_3C.csv"]
    assert zipfile.ZipFile(io.BytesIO(archive)).namelist() == list(files)


@pytest.mark.parametrize("newer", [False, True], ids=["older", "newer"])
def test_fake_results_read_back_equal_through_files_and_zip(newer):
    by_division = fake_certification_results_by_division(
        school(), rng=random.Random(5), taken_on=TAKEN_ON, newer_layout=newer)
    files = fake_certification_files(by_division, file_date=FILE_DATE, newer_layout=newer)

    results = read_certification_archive(fake_certification_zip(files))

    for result in results:
        assert result.ok and not result.warnings, messages(result)
        assert result.newer_layout is newer
        assert result.rows == by_division[result.division]
    numbers = [r.certification_number for rows in by_division.values() for r in rows]
    assert len(set(numbers)) == len(numbers) == 80
    assert [rows[0].session for rows in by_division.values()] == ["7001", "7002", "7003"]


@pytest.mark.parametrize("newer", [False, True], ids=["older", "newer"])
def test_fake_results_are_consistent(newer):
    pupils = school({"3A": 400, "TPRO A": 200, "301": 400})
    rows = fake_certification_results(pupils, rng=random.Random(11), taken_on=TAKEN_ON,
                                      session="7001", newer_layout=newer)

    assert [r.line for r in rows] == list(range(2, len(rows) + 2))
    assert [(r.last_name, r.birthdate) for r in rows] == [(p.last_name, p.birthdate)
                                                         for p in pupils]
    for r in rows:
        values = list(r.competence_levels.values())
        assert list(r.competence_levels) == list(COMPETENCE_CODES)
        assert r.status_label == r.status.layout_label(newer_layout=newer)
        if r.status is CertificationStatus.VALIDATED:
            certified = [v for v in values if v]
            assert certified and all(0 <= v <= 6 for v in values if v is not None)
            if not newer or r.pix < V3_MAX_PIX:
                # each certified competence gives its level × 8 plus less than 8 more
                low = PIX_PER_LEVEL * sum(certified)
                assert low <= r.pix < low + PIX_PER_LEVEL * len(certified)
        elif r.status is CertificationStatus.REJECTED:
            assert r.pix == 0
            assert set(values) == ({None} if newer else {0})
        else:
            assert r.pix is None and set(values) == {None}
        if newer:
            assert (r.certification_type, r.score_pix) == ("Pix", r.pix)
            band = v3_global_level(r.pix) if r.validated else None
            assert r.global_level == ("" if band in (None, BELOW_V3_BANDS) else band)
            assert r.pix is None or r.pix <= V3_MAX_PIX
        else:
            assert (r.certification_type, r.global_level, r.score_pix, r.centre) == (
                "", "", None, "")


def test_fake_results_rates_and_levels_look_like_a_school():
    pupils = school({"3A": 1000, "TPRO A": 1000})
    rows = fake_certification_results(pupils, rng=random.Random(2), taken_on=TAKEN_ON,
                                      session="7001")

    validated = [r for r in rows if r.validated]
    assert abs(len(validated) / len(rows) - 0.85) < 0.03
    others = [r.status for r in rows if not r.validated]
    assert others.count(CertificationStatus.REJECTED) > others.count(
        CertificationStatus.CANCELLED) > 0
    assert others.count(CertificationStatus.ERROR) > 0
    assert set(NOT_VALIDATED_WEIGHTS) == set(others)
    untested = sum(v is None for r in validated for v in r.competence_levels.values())
    assert 0.05 < untested / (16 * len(validated)) < 0.35  # some "-", not most
    third = statistics.mean(r.pix for r in validated if r.birthdate.year == 2011)
    vocational = statistics.mean(r.pix for r in validated if r.birthdate.year <= 2008)
    assert 250 < third < 450 and vocational > third  # older pupils higher
    assert statistics.pstdev(r.pix for r in validated) > 60  # a spread within a class


def test_fake_results_rates_at_the_bounds():
    pupils = school({"3A": 50})

    def statuses(rate):
        return {r.status for r in fake_certification_results(
            pupils, rng=random.Random(1), taken_on=TAKEN_ON, session="1", validated_rate=rate)}

    assert statuses(1) == {CertificationStatus.VALIDATED}
    assert CertificationStatus.VALIDATED not in statuses(0)
    with pytest.raises(ValueError):
        statuses(1.5)


def test_fake_results_ability_is_the_mean_level():
    pupils = school({"3A": 300})

    def mean_pix(level):
        rows = fake_certification_results(pupils, rng=random.Random(4), taken_on=TAKEN_ON,
                                           session="1", validated_rate=1,
                                           ability=lambda _pupil: level)
        return statistics.mean(r.pix for r in rows)

    assert mean_pix(1.0) < mean_pix(2.5) < mean_pix(4.0)


def test_certification_numbers_never_repeat_for_one_rng():
    rng = random.Random(9)
    pupils = school({"3A": 200})

    first = fake_certification_results(pupils, rng=rng, taken_on=TAKEN_ON, session="1")
    second = fake_certification_results(pupils, rng=rng, taken_on=TAKEN_ON, session="2")

    numbers = [r.certification_number for r in first + second]
    assert len(set(numbers)) == len(numbers)
    assert all(len(n) == 6 and n.isdigit() for n in numbers)
