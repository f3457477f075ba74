"""The pupil base: SIECLE XML (maybe zipped) and CSV pupil lists, good files and every bad one."""

import io
import random
import zipfile
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pix.fakes import fake_establishment_pupils, fake_pupils
from pix.pupils import (
    CSV,
    CSV_HEADERS,
    SIECLE,
    PupilRow,
    read_pupil_base,
    write_pupil_csv,
    write_siecle_xml,
)

UAI = "0170099X"
YEAR = 2025
ELOISE = PupilRow(
    line=0, ine="1922121676B", last_name="LEMAÎTRE", usage_name="LEMAÎTRE-NOËL",
    first_name="Éloïse", other_first_names="Marie-Lou Anaïs", sex="F",
    birthdate=date(2013, 5, 4), birth_place="Saint-Jean-d'Angély", mef_code="10110001110",
    division="5A",
)
NOE = replace(ELOISE, ine="5942859575A", last_name="D'ALMEIDA", usage_name="",
              first_name="Noé", other_first_names="", sex="M", birthdate=date(2011, 7, 7),
              birth_place="", mef_code="10310019110", division="301")
HEADER = ";".join(CSV_HEADERS)


def some_pupils(count: int = 6, seed: int = 1) -> list[PupilRow]:
    divisions = (("5A", "5e", count // 2), ("301", "3e", count - count // 2))
    return fake_establishment_pupils(divisions, school_year=YEAR, rng=random.Random(seed))


def without_lines(rows):
    return [replace(row, line=0) for row in rows]


def line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\n".join(lines).encode(encoding) + b"\n"


def csv_line(**changes: str) -> str:
    values = dict(zip(CSV_HEADERS, [
        "1922121676B", "Éloïse", "", "", "LEMAÎTRE", "", "F", "04/05/2013", "17300",
        "La Rochelle", "17", "99100", "ST", "10110001110", "5A",
    ], strict=True))
    values.update({header: changes[key] for key, header in _KEYS.items() if key in changes})
    return ";".join(values.values())


_KEYS = {"ine": "Identifiant unique*", "first": "Premier prénom*", "last": "Nom de famille*",
         "sex": "Code sexe*", "birth": "Date de naissance (jj/mm/aaaa)*", "division": "Division*"}


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def only_error(base) -> str:
    assert not base.rows
    assert len(base.errors) == 1, [str(e) for e in base.errors]
    return str(base.errors[0])


# --- the real-format samples --------------------------------------------------------------


def test_sample_siecle_export(samples):
    base = read_pupil_base((samples / "siecle-eleves.xml").read_bytes(), expected_uai=UAI)
    assert base.ok, [str(e) for e in base.errors]
    assert (base.format, base.uai, base.school_year) == (SIECLE, UAI, 2025)
    assert len(base.rows) == 24
    assert {row.division for row in base.rows} == {"5A", "5B", "3A", "301"}  # LATIN ignored
    first, second = base.rows[:2]
    assert (first.line, first.ine, first.last_name, first.first_name) == (
        9, "5942859575A", "PETIT", "Noé")
    assert (second.first_name, second.sex, second.birthdate) == ("Éloïse", "F", date(2013, 5, 4))
    assert "LEMAÎTRE" in {row.last_name for row in base.rows}
    assert (base.skipped_left, base.skipped_no_ine, base.skipped_no_class) == (0, 0, 0)


def test_sample_csv_has_the_same_pupils_as_the_sample_export(samples):
    xml = read_pupil_base((samples / "siecle-eleves.xml").read_bytes())
    data = (samples / "base-eleves.csv").read_bytes()
    base = read_pupil_base(data, filename="base-eleves.csv")
    assert base.ok and base.format == CSV and base.uai is None
    assert [row.line for row in base.rows] == list(range(2, 26))

    def identity(row):
        return row.ine, row.last_name, row.first_name, row.sex, row.birthdate, row.division

    assert [identity(row) for row in base.rows] == [identity(row) for row in xml.rows]
    for encoding in ("cp1252", "mac_roman", "utf-8-sig"):
        again = read_pupil_base(data.decode("utf-8").encode(encoding))
        assert [identity(row) for row in again.rows] == [identity(row) for row in xml.rows]


def test_sample_export_of_another_establishment_is_refused(samples):
    base = read_pupil_base((samples / "siecle-eleves.xml").read_bytes(), expected_uai="0330001A")
    message = only_error(base)
    assert "0170099X" in message and "0330001A" in message
    assert message.startswith("Ligne 4, colonne « UAJ »")


def test_sample_export_zipped(samples):
    data = zipped({"export/ElevesSansAdresses.xml": (samples / "siecle-eleves.xml").read_bytes()})
    assert len(read_pupil_base(data, expected_uai=UAI).rows) == 24


# --- round trips through our writers ------------------------------------------------------


def test_siecle_round_trip_keeps_every_field():
    rows = [ELOISE, NOE, *some_pupils()]
    data = write_siecle_xml(rows, uai=UAI, school_year=YEAR, groups={NOE.ine: "LATIN"})
    assert data.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')
    assert "Éloïse".encode("iso-8859-15") in data
    base = read_pupil_base(data, expected_uai=UAI.lower())
    assert base.ok and base.format == SIECLE
    assert without_lines(base.rows) == rows
    assert base.rows[0].line == line_of(data, b"<ELEVE ") == 9


def test_siecle_round_trip_of_letters_outside_latin_9():
    rows = [replace(ELOISE, first_name="Łucja", last_name="NGUYỄN")]
    data = write_siecle_xml(rows, uai=UAI, school_year=YEAR)
    assert b"&#" in data
    assert without_lines(read_pupil_base(data).rows) == rows


def test_zipped_export_is_found_whatever_its_name_and_neighbours():
    xml = write_siecle_xml([ELOISE, NOE], uai=UAI, school_year=YEAR)
    data = zipped({"LISEZMOI.txt": b"export", "a/other.xml": b"<NOMENCLATURES/>",
                   "b/ExportXML_ElevesSansAdresses.XML": xml})
    base = read_pupil_base(data, filename="export.zip", expected_uai=UAI)
    assert without_lines(base.rows) == [ELOISE, NOE]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "mac_roman"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_round_trip_of_a_few_pupils(encoding, delimiter):
    # Few accents: the encoding must still be told right from a handful of names.
    data = write_pupil_csv([ELOISE, NOE], delimiter=delimiter, encoding=encoding)
    base = read_pupil_base(data)
    assert base.ok, [str(e) for e in base.errors]
    assert without_lines(base.rows) == [ELOISE, NOE]
    assert [row.line for row in base.rows] == [2, 3]


def test_csv_header_is_pix_s_template():
    data = write_pupil_csv([], encoding="utf-8")
    assert data.decode().splitlines() == [HEADER]


def test_csv_variants_are_accepted():
    headers = [h.rstrip("*") for h in CSV_HEADERS]
    data = csv_bytes(
        ",".join(headers),
        "  1922121676b ,Éloïse,,,LEMAÎTRE,,Féminin,04/05/13,,,,,,,5A",
        "5942859575A,Noé,Jean-Baptiste,,PETIT,,1,07/07/2013,,,,,,,301",
    ).replace(b"\n", b"\r\n")
    base = read_pupil_base(data)
    assert base.ok, [str(e) for e in base.errors]
    eloise, noe = base.rows
    assert (eloise.ine, eloise.sex, eloise.birthdate) == ("1922121676B", "F", date(2013, 5, 4))
    assert (noe.sex, noe.other_first_names, noe.mef_code, noe.line) == (
        "M", "Jean-Baptiste", "", 3)


# --- bad files: the whole file ------------------------------------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "Le fichier est vide."),
        (b" \r\n\r\n", "Le fichier est vide."),
        (PDF, "(PDF) n’est ni un export SIECLE"),
        (PNG, "(PNG) n’est ni un export SIECLE"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "(JPEG)"),
        (XLS, "(Excel 97-2003 (XLS))"),
        (random.Random(0).randbytes(3000), "(binaire) n’est ni un export SIECLE"),
        (zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
         "(document Office, XLSX)"),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                 "content.xml": b"<office/>"}), "(document OpenDocument, ODS)"),
        (zipped({"eleves.csv": b"a;b"}), "L’archive zip ne contient aucun fichier XML"),
        (b"PK\x03\x04" + b"\x00" * 40, "L’archive ZIP est illisible"),
        ("Identifiant unique*;Nom\n".encode("utf-16"), "UTF-16 : enregistrez-le en CSV UTF-8"),
        (csv_bytes(HEADER), "Le fichier ne contient aucun élève."),
        (b"<?xml version='1.0'?>\n<html><body>Eleves</body></html>",
         "Ce n’est pas un export SIECLE BEE_ELEVES (élément racine « html »)."),
        (b"<BEE_ELEVES><PARAMETRES/><DONNEES><ELEVES/></DONNEES></BEE_ELEVES>",
         "Le fichier ne contient aucun élève."),
        (csv_bytes("Nom de l'organisation;ID Campagne;Code;Nom du Participant", "a;1;b;c"),
         "n’est pas une liste d’élèves"),
    ],
)
def test_files_that_are_not_pupil_bases_give_one_french_error(data, expected):
    base = read_pupil_base(data, filename="eleves.csv")
    assert expected in only_error(base)
    assert not base.ok


def test_an_export_without_uaj_cannot_be_checked():
    data = write_siecle_xml([ELOISE], uai="", school_year=YEAR)
    assert "UAJ absent" in only_error(read_pupil_base(data, expected_uai=UAI))
    assert read_pupil_base(data).ok  # nothing to compare with: accepted


def test_malformed_xml_names_the_line():
    data = write_siecle_xml([ELOISE, NOE], uai=UAI, school_year=YEAR).replace(
        b"<PRENOM>No", b"<PRENOM>No<b>")
    message = only_error(read_pupil_base(data))
    assert message == (f"Ligne {line_of(data, b'<b>')} : le fichier XML est mal formé : "
                       "balise fermante qui ne correspond pas")


def test_truncated_xml_names_the_line():
    data = write_siecle_xml([ELOISE, NOE], uai=UAI, school_year=YEAR)
    cut = data[: data.index(b"<STRUCTURES>")]
    last_line = cut.count(b"\n") + 1
    assert only_error(read_pupil_base(cut)).startswith(f"Ligne {last_line} : ")


def test_xml_declaring_latin_9_but_saved_as_utf16_is_refused():
    text = write_siecle_xml([ELOISE], uai=UAI, school_year=YEAR).decode("iso-8859-15")
    for encoding in ("utf-16", "utf-16-le"):
        message = only_error(read_pupil_base(text.encode(encoding)))
        assert message == ("Ligne 1 : le fichier est enregistré en UTF-16 mais déclare "
                           "l’encodage ISO-8859-15")


def test_xml_declaring_utf8_with_latin_9_bytes_names_the_line():
    data = write_siecle_xml([ELOISE], uai=UAI, school_year=YEAR).replace(
        b'encoding="ISO-8859-15"', b'encoding="UTF-8"')
    message = only_error(read_pupil_base(data))
    assert message.startswith(f"Ligne {line_of(data, b'<NOM_DE_FAMILLE>')} : ")
    assert "encodage incorrect" in message


def test_xml_resaved_in_utf8_under_its_latin_9_declaration_is_read_as_utf8():
    text = write_siecle_xml([ELOISE], uai=UAI, school_year=YEAR).decode("iso-8859-15")
    base = read_pupil_base(text.encode("utf-8"))
    assert without_lines(base.rows) == [ELOISE]


def test_xml_with_an_unknown_encoding_is_refused():
    data = write_siecle_xml([ELOISE], uai=UAI, school_year=YEAR).replace(
        b"ISO-8859-15", b"X-KLINGON")
    assert only_error(read_pupil_base(data)) == "Ligne 1 : encodage déclaré inconnu : X-KLINGON"


def test_entity_declarations_are_refused():
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE BEE_ELEVES [\n<!ENTITY a "aaaaaaaaaa">\n'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<BEE_ELEVES>&b;</BEE_ELEVES>')
    assert only_error(read_pupil_base(bomb)) == (
        "Ligne 3 : déclaration d’entité refusée dans le fichier XML")


# --- bad rows -----------------------------------------------------------------------------


def test_missing_csv_columns_are_each_named():
    headers = [h for h in CSV_HEADERS if h not in ("Division*", "Code sexe*", "Code MEF*")]
    base = read_pupil_base(csv_bytes(";".join(headers), "1922121676B;Éloïse"))
    assert [str(e) for e in base.errors] == [
        "Ligne 1, colonne « Code sexe* » : colonne obligatoire absente",
        "Ligne 1, colonne « Division* » : colonne obligatoire absente",
    ]
    assert not base.rows


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"birth": "31/02/2013"},
         "colonne « Date de naissance (jj/mm/aaaa)* » : date invalide « 31/02/2013 »"),
        ({"birth": ""},
         "colonne « Date de naissance (jj/mm/aaaa)* » : date de naissance manquante"),
        ({"sex": "X"}, "colonne « Code sexe* » : sexe « X » non reconnu (M ou F attendu)"),
        ({"sex": ""}, "colonne « Code sexe* » : sexe manquant (M ou F attendu)"),
        ({"last": " "}, "colonne « Nom de famille* » : nom de famille manquant"),
        ({"first": ""}, "colonne « Premier prénom* » : prénom manquant"),
        ({"division": ""}, "colonne « Division* » : division (classe) manquante"),
    ],
)
def test_a_bad_csv_row_names_its_line_and_column(changes, expected):
    base = read_pupil_base(csv_bytes(HEADER, csv_line(ine="5942859575A"), csv_line(**changes)))
    assert len(base.errors) == 1
    assert str(base.errors[0]).startswith(f"Ligne 3, {expected}")
    assert [row.ine for row in base.rows] == ["5942859575A"]


def test_all_problems_of_a_row_are_reported_together():
    base = read_pupil_base(csv_bytes(HEADER, csv_line(birth="hier", sex="?", first="")))
    assert [e.column for e in base.errors] == [
        "Premier prénom*", "Code sexe*", "Date de naissance (jj/mm/aaaa)*"]
    assert {e.line for e in base.errors} == {2}


def test_a_duplicate_ine_in_csv_names_the_first_line():
    base = read_pupil_base(csv_bytes(HEADER, csv_line(), csv_line(ine="5942859575A"),
                                     csv_line(ine=" 1922121676b", first="Zoé")))
    assert [str(e) for e in base.errors] == [
        "Ligne 4, colonne « Identifiant unique* » : INE 1922121676B déjà présent ligne 2"]
    assert len(base.rows) == 2


def test_a_duplicate_ine_in_siecle_names_the_first_line():
    data = write_siecle_xml([ELOISE, NOE, replace(NOE, first_name="Zoé", ine=ELOISE.ine)],
                            uai=UAI, school_year=YEAR)
    base = read_pupil_base(data)
    assert [str(e) for e in base.errors] == [
        "Ligne 37, colonne « ID_NATIONAL » : INE 1922121676B déjà présent ligne 9"]


@pytest.mark.parametrize(
    ("tag", "value", "expected"),
    [
        (b"DATE_NAISS", b"2013/05/04", "colonne « DATE_NAISS » : date invalide « 2013/05/04 »"),
        (b"CODE_SEXE", b"3", "colonne « CODE_SEXE » : sexe « 3 » non reconnu"),
        (b"NOM_DE_FAMILLE", b"", "colonne « NOM_DE_FAMILLE » : nom de famille manquant"),
    ],
)
def test_a_bad_siecle_pupil_names_its_line_and_element(tag, value, expected):
    data = write_siecle_xml([NOE, ELOISE], uai=UAI, school_year=YEAR)
    second_pupil = data.index(b"<ELEVE ", data.index(b"<ELEVE ") + 1)
    start = data.index(b"<" + tag + b">", second_pupil)
    end = data.index(b"</" + tag + b">", start)
    data = data[: start + len(tag) + 2] + value + data[end:]
    base = read_pupil_base(data)
    assert len(base.errors) == 1
    assert str(base.errors[0]).startswith(f"Ligne 23, {expected}")
    assert [row.ine for row in base.rows] == [NOE.ine]


# --- pupils skipped, not errors -----------------------------------------------------------


def test_siecle_pupils_who_left_have_no_ine_or_no_class_are_skipped_and_counted():
    rows = [
        ELOISE,
        replace(NOE, ine="1111111111A", leaving_date=date(2025, 10, 17)),
        replace(NOE, ine="", first_name="Sans"),
        replace(NOE, ine="2222222222B", division="Inactifs"),
        replace(NOE, ine="3333333333C", division=""),  # only a group
        NOE,
    ]
    data = write_siecle_xml(rows, uai=UAI, school_year=YEAR, groups={"3333333333C": "LATIN"})
    assert b"<DATE_SORTIE>17/10/2025</DATE_SORTIE>" in data
    base = read_pupil_base(data)
    assert base.ok
    assert without_lines(base.rows) == [ELOISE, NOE]
    assert (base.skipped_left, base.skipped_no_ine, base.skipped_no_class) == (1, 1, 2)


def test_a_file_where_every_pupil_is_skipped_says_why():
    data = write_siecle_xml([replace(NOE, leaving_date=date(2025, 9, 1)), replace(ELOISE, ine="")],
                            uai=UAI, school_year=YEAR)
    assert only_error(read_pupil_base(data)) == (
        "Aucun élève à importer (sortis : 1, sans INE : 1, sans classe : 0).")


def test_csv_rows_without_ine_are_skipped_like_siecle():
    base = read_pupil_base(csv_bytes(HEADER, csv_line(ine=""), csv_line(ine="5942859575A")))
    assert base.ok and base.skipped_no_ine == 1
    assert [(row.ine, row.line) for row in base.rows] == [("5942859575A", 3)]


# --- never an exception -------------------------------------------------------------------

GOOD_XML = write_siecle_xml(
    fake_pupils("5A", "5e", 3, school_year=YEAR, rng=random.Random(4)), uai=UAI, school_year=YEAR
)
GOOD_CSV = write_pupil_csv(fake_pupils("5A", "5e", 3, school_year=YEAR, rng=random.Random(4)))


def check_outcome(base) -> None:
    assert base.rows or base.errors
    assert base.ok == (not base.errors)
    for error in base.errors:
        assert str(error)  # the French text can always be rendered


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=200)
@given(data=st.binary(max_size=2000))
def test_any_bytes_end_in_rows_or_errors(data):
    check_outcome(read_pupil_base(data))


@settings(max_examples=300)
@given(
    source=st.sampled_from([GOOD_XML, GOOD_CSV, zipped({"e.xml": GOOD_XML})]),
    cut=st.integers(min_value=0, max_value=5000),
    position=st.integers(min_value=0, max_value=5000),
    byte=st.integers(min_value=0, max_value=255),
)
def test_damaged_files_end_in_rows_or_errors(source, cut, position, byte):
    data = bytearray(source[: max(cut, 1)])
    data[position % len(data)] = byte
    check_outcome(read_pupil_base(bytes(data), expected_uai=UAI))
