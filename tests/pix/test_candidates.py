"""The Pix Certif candidate list: exact headers, CSV and XLSX written, read back the same."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from pix.candidates import (
    CANDIDATE_HEADERS,
    EXTRA_TIME,
    SHEET_TITLE,
    Candidate,
    parse_extra_time,
    read_candidates_csv,
    write_candidates_csv,
    write_candidates_xlsx,
)
from pix.files import CellError

CANDIDATES = [
    Candidate("MARTIN", "Léa", date(2011, 3, 4), "F", insee_code="17300", local_id="0012",
              extra_time=33, result_email="rupn@college.fr",
              convocation_email="famille.martin@example.fr"),
    Candidate("N’DIAYE", "Aïssatou", date(2011, 12, 31), "F", postal_code="01000",
              commune="Bourg-en-Bresse"),
    Candidate("DA SILVA", "João", date(2010, 1, 2), "M", country="PORTUGAL", commune="Porto",
              extra_time=50),
    Candidate("-DUPONT", "=Noé", date(2011, 6, 1), "M", insee_code="01053",
              local_id="@1"),  # what a spreadsheet would take for formulas
]


def test_headers_are_pix_certif_ones_in_order():
    assert CANDIDATE_HEADERS == (
        "* Nom de naissance", "* Prénom", "* Date de naissance (format : jj/mm/aaaa)",
        "* Sexe (M ou F)", "Code Insee", "Code postal", "Nom de la commune", "Pays",
        "Identifiant local", "Temps majoré ?",
        "E-mail du destinataire des résultats (formateur, enseignant…)",
        "E-mail de convocation",
    )


# --- CSV ------------------------------------------------------------------------------------


def test_csv_has_bom_semicolons_lf_and_the_exact_headers():
    data = write_candidates_csv(CANDIDATES)

    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8").removeprefix("\ufeff").split("\n")
    assert lines[0] == ";".join(CANDIDATE_HEADERS)
    assert "\r" not in data.decode("utf-8") and lines[-1] == ""
    assert lines[1] == ("MARTIN;Léa;04/03/2011;F;17300;;;FRANCE;0012;33%;rupn@college.fr;"
                        "famille.martin@example.fr")


def test_csv_values_are_neutralised():
    line = write_candidates_csv(CANDIDATES[3:]).decode("utf-8").split("\n")[1]

    assert line.startswith("'-DUPONT;'=Noé;01/06/2011;M;01053;;;FRANCE;'@1;")


def test_csv_round_trip():
    candidates, errors = read_candidates_csv(write_candidates_csv(CANDIDATES))

    assert errors == []
    assert candidates == CANDIDATES


def test_empty_list_is_the_headers_alone():
    data = write_candidates_csv([])

    assert data.decode("utf-8") == "\ufeff" + ";".join(CANDIDATE_HEADERS) + "\n"
    candidates, errors = read_candidates_csv(data)
    assert (candidates, [e.text for e in errors]) == (
        [], ["Le fichier ne contient aucun candidat."])


# --- XLSX -----------------------------------------------------------------------------------


def workbook_rows():
    sheet = load_workbook(io.BytesIO(write_candidates_xlsx(CANDIDATES))).worksheets[0]
    return sheet, list(sheet.iter_rows(values_only=True))


def test_xlsx_first_sheet_has_exactly_the_headers():
    sheet, rows = workbook_rows()

    assert sheet.title == SHEET_TITLE
    assert rows[0] == CANDIDATE_HEADERS
    assert sheet.max_column == len(CANDIDATE_HEADERS)
    assert sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[letter].width >= 10 for letter in "ABCDEFGHIJKL")


def test_xlsx_dates_and_codes_are_texts_extra_time_a_percentage():
    sheet, rows = workbook_rows()

    assert rows[1][:5] == ("MARTIN", "Léa", "04/03/2011", "F", "17300")
    assert rows[1][8] == "0012"  # leading zeros kept
    assert rows[2][5] == "01000"
    extra_time = sheet.cell(row=2, column=CANDIDATE_HEADERS.index(EXTRA_TIME) + 1)
    assert (extra_time.value, extra_time.number_format) == (0.33, "0%")
    assert sheet["C2"].data_type == "s" and sheet["C2"].number_format == "@"


def test_xlsx_texts_never_become_formulas():
    sheet, rows = workbook_rows()

    assert rows[4][:2] == ("-DUPONT", "=Noé")
    assert sheet["B5"].data_type == "s"  # a text, not a formula


def test_xlsx_round_trip():
    _sheet, rows = workbook_rows()

    def candidate(values):
        cells = dict(zip(CANDIDATE_HEADERS, values, strict=True))
        day, month, year = map(int, cells["* Date de naissance (format : jj/mm/aaaa)"]
                               .split("/"))
        extra = cells[EXTRA_TIME]
        return Candidate(
            cells["* Nom de naissance"], cells["* Prénom"], date(year, month, day),
            cells["* Sexe (M ou F)"], cells["Code Insee"] or "", cells["Code postal"] or "",
            cells["Nom de la commune"] or "", cells["Pays"], cells["Identifiant local"] or "",
            None if extra is None else round(extra * 100),
            cells[CANDIDATE_HEADERS[10]] or "", cells[CANDIDATE_HEADERS[11]] or "",
        )

    assert [candidate(values) for values in rows[1:]] == CANDIDATES


# --- the candidate itself -------------------------------------------------------------------


@pytest.mark.parametrize("fields", [{"sex": "X"}, {"sex": "f"}, {"extra_time": 0},
                                    {"extra_time": 1000}])
def test_candidate_refuses_what_pix_cannot_take(fields):
    base = {"last_name": "MARTIN", "first_name": "Léa", "birthdate": date(2011, 3, 4),
            "sex": "F"}

    with pytest.raises(ValueError):
        Candidate(**{**base, **fields})


@pytest.mark.parametrize("text, expected", [
    ("33%", 33), ("33 %", 33), ("33\u202f%", 33), ("33", 33), ("0,33", 33), ("0.5", 50),
    ("1,5", 150), ("0", None), ("0%", None), ("100%", 100),
])
def test_extra_time_forms(text, expected):
    assert parse_extra_time(text) == expected


@pytest.mark.parametrize("text", ["tiers-temps", "33,5%", "-10%", "1000%"])
def test_extra_time_refused(text):
    with pytest.raises(CellError):
        parse_extra_time(text)


# --- reading errors -------------------------------------------------------------------------


def csv_with(line: str) -> bytes:
    return ("\ufeff" + ";".join(CANDIDATE_HEADERS) + "\n" + line + "\n").encode("utf-8")


def test_missing_required_columns():
    data = "Nom;Prénom\nMARTIN;Léa\n".encode()

    candidates, errors = read_candidates_csv(data)

    assert candidates == []
    assert [str(e) for e in errors] == [
        "Colonne manquante : « * Nom de naissance ».", "Colonne manquante : « * Prénom ».",
        "Colonne manquante : « * Date de naissance (format : jj/mm/aaaa) ».",
        "Colonne manquante : « * Sexe (M ou F) »."]


@pytest.mark.parametrize("line, column, message", [
    (";Léa;04/03/2011;F;17300;;;FRANCE;;;;", "* Nom de naissance", "valeur manquante"),
    ("MARTIN;Léa;31/02/2011;F;17300;;;FRANCE;;;;", "* Date de naissance (format : jj/mm/aaaa)",
     "date invalide « 31/02/2011 » (jj/mm/aaaa attendu)"),
    ("MARTIN;Léa;04/03/1890;F;17300;;;FRANCE;;;;", "* Date de naissance (format : jj/mm/aaaa)",
     "date de naissance invraisemblable « 04/03/1890 »"),
    ("MARTIN;Léa;04/03/2011;Fille;17300;;;FRANCE;;;;", "* Sexe (M ou F)",
     "« M » ou « F » attendu, « Fille » trouvé"),
    ("MARTIN;Léa;04/03/2011;F;17300;;;FRANCE;;tiers-temps;;", "Temps majoré ?",
     "pourcentage attendu (par exemple « 33% »), « tiers-temps » trouvé"),
    ("MARTIN;Léa;04/03/2011;F;;17000;;FRANCE;;;;", "Code Insee",
     "né en France : le code Insee, ou le code postal et la commune, sont nécessaires"),
    ("MARTIN;Léa;04/03/2011;F;;;;MAROC;;;;", "Nom de la commune",
     "né à l’étranger : le nom de la commune est nécessaire"),
    ("MARTIN;Léa;04/03/2011;F;17300;;;FRANCE;;;rupn.college.fr;", CANDIDATE_HEADERS[10],
     "adresse e-mail invalide « rupn.college.fr »"),
])
def test_bad_cells_name_line_and_column(line, column, message):
    candidates, errors = read_candidates_csv(csv_with(line))

    assert candidates == []
    assert [(e.line, e.column, e.text) for e in errors] == [(2, column, message)]


def test_lowercase_sex_and_missing_country_are_accepted():
    candidates, errors = read_candidates_csv(csv_with("MARTIN;Léa;04/03/2011;f;17300;;;;;;;"))

    assert errors == []
    assert (candidates[0].sex, candidates[0].country) == ("F", "FRANCE")


def test_pix_certif_mass_import_labels_are_understood():
    headers = ["* Nom de naissance", "* Prénom", "* Date de naissance (format: JJ/MM/AAAA)",
               "* Sexe (M ou F)", "Code INSEE de la commune de naissance",
               "Code postal de la commune de naissance", "Nom de la commune de naissance",
               "* Pays de naissance", "Identifiant externe",
               "Temps majoré ? (exemple format: 33%)"]
    data = (";".join(headers) + "\nMARTIN;Léa;04/03/2011;F;17300;;;France;12;33%\n").encode()

    candidates, errors = read_candidates_csv(data)

    assert errors == []
    assert candidates == [Candidate("MARTIN", "Léa", date(2011, 3, 4), "F", insee_code="17300",
                                    country="France", local_id="12", extra_time=33)]


def test_empty_file():
    candidates, errors = read_candidates_csv(b"")

    assert (candidates, [str(e) for e in errors]) == ([], ["Le fichier est vide."])
