"""What every Pix file shares: decoding, CSV tables by header, cell values and errors."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pix.fakes import BIRTH_PLACES, FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES
from pix.files import (
    PARIS,
    CellError,
    FileRejected,
    RowError,
    decode,
    format_decimal,
    is_na,
    neutralise,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_fraction,
    parse_int,
    parse_yes_no,
    read_table,
    row_has_extra_cells,
    sniff_delimiter,
    unquote_formula,
)

FRENCH = "Nom;Prénom;Classe\nLEMAÎTRE;Éloïse;5A\nFRANÇOIS;Noé;301\nŒUVRARD;Maël;4B\n"


# --- decoding -----------------------------------------------------------------------------


def test_decode_utf8_with_bom_drops_the_bom():
    assert decode(b"\xef\xbb\xbf" + FRENCH.encode()) == FRENCH


def test_decode_utf8_without_bom():
    assert decode(FRENCH.encode()) == FRENCH


@pytest.mark.parametrize("encoding", ["cp1252", "mac_roman"])
def test_decode_tells_windows_1252_from_macroman_by_french_letters(encoding):
    assert decode(FRENCH.encode(encoding)) == FRENCH


@pytest.mark.parametrize("data", [b"", b"  \r\n\t"])
def test_decode_rejects_an_empty_file(data):
    with pytest.raises(FileRejected, match="vide"):
        decode(data)


def test_decode_rejects_binary_content():
    with pytest.raises(FileRejected) as caught:
        decode("Nom;Prénom".encode("utf-16-le"))
    assert caught.value.error.line is None
    assert "CSV" in str(caught.value)


@pytest.mark.parametrize("encoding", ["cp1252", "mac_roman"])
@pytest.mark.parametrize(
    "text", ["NOËL", "LEMAÎTRE", "ANDRÉ", "Zoé", "Maël", "Benoît", "« Oui »", "l’été à 8 h"]
)
def test_decode_reads_a_single_accented_word_in_either_code_page(text, encoding):
    # Both code pages map these bytes to letters or punctuation: only case and place tell.
    assert decode(text.encode(encoding)) == text


NAMES = sorted(
    {*FIRST_NAMES_F, *FIRST_NAMES_M, *LAST_NAMES, *(n.upper() for n in LAST_NAMES), *BIRTH_PLACES}
)


@given(
    names=st.lists(st.sampled_from(NAMES), min_size=1, max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "mac_roman"]),
)
def test_decode_reads_back_any_list_of_french_names(names, encoding):
    text = ";".join(names) + "\n"
    assert decode(text.encode(encoding)) == text


# --- CSV tables ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [("a;b;c", ";"), ("a,b,c", ","), ("a\tb\tc", "\t"), ("a;b,c;d", ";"), ("abc", ";")],
)
def test_sniff_delimiter(line, delimiter):
    assert sniff_delimiter(line) == delimiter


def test_read_table_keeps_lines_and_skips_blank_ones():
    table = read_table('Nom,Prénom\n\nPETIT,Noé\n"ROBERT","Éloïse, dite\nLoulou"\nDURAND,Jade\n')
    assert table.delimiter == ","
    assert table.headers == ["Nom", "Prénom"]
    assert [(row.line, row.get("Nom")) for row in table.rows] == [
        (3, "PETIT"), (4, "ROBERT"), (6, "DURAND"),
    ]
    assert table.rows[1].get("Prénom") == "Éloïse, dite\nLoulou"


def test_read_table_pads_short_rows_and_flags_extra_cells():
    table = read_table("a;b\n1\n1;2;3\n")
    assert table.rows[0].get("b") == ""
    assert not row_has_extra_cells(table.rows[0])
    assert row_has_extra_cells(table.rows[1])


def test_read_table_of_nothing_is_rejected():
    with pytest.raises(FileRejected):
        read_table("\n\n")


def test_table_find_compares_folded_labels():
    table = read_table("Nom d’usage;Libellé commune naissance**;Date de naissance (jj/mm/aaaa)*\n")
    assert table.find("Nom d'usage") == "Nom d’usage"
    assert table.find("LIBELLE COMMUNE NAISSANCE**") == "Libellé commune naissance**"
    assert table.find("Date de naissance", prefix=True) == "Date de naissance (jj/mm/aaaa)*"
    assert table.find("Date de naissance") is None
    assert table.find("Absent", "Nom d'usage") == "Nom d’usage"


# --- cell values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07/07/2013", date(2013, 7, 7)),
        (" 29/02/2012 ", date(2012, 2, 29)),
        ("2013-07-07", date(2013, 7, 7)),
        ("07/07/13", date(2013, 7, 7)),
        ("01/01/99", date(1999, 1, 1)),
    ],
)
def test_parse_date_variants(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2013", "2013/07/07", "7 juillet 2013", "", "13/13/2013"])
def test_parse_date_rejects_with_a_french_message(text):
    with pytest.raises(CellError) as caught:
        parse_date(text)
    assert "date invalide" in str(caught.value)
    assert caught.value.params == {"value": text}


def test_parse_datetime_is_aware_in_paris():
    parsed = parse_datetime("30/09/2025 17:00")
    assert parsed == datetime(2025, 9, 30, 17, 0, tzinfo=PARIS)
    assert parsed.utcoffset().total_seconds() == 7200
    assert parse_datetime("2025-09-30") == datetime(2025, 9, 30, tzinfo=PARIS)
    with pytest.raises(CellError, match="date et heure invalides"):
        parse_datetime("hier")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0,67", "0.67"), ("0.67", "0.67"), ("1\u202f234,5", "1234.5"), (" 12 ", "12"),
     ("-3,0", "-3.0")],
)
def test_parse_decimal_with_a_comma(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "", "NaN", "Infinity", "1,2,3"])
def test_parse_decimal_rejects(text):
    with pytest.raises(CellError, match="nombre attendu"):
        parse_decimal(text)


def test_parse_fraction_bounds():
    assert parse_fraction("0") == 0
    assert parse_fraction("1") == 1
    assert parse_fraction("0,5") == Decimal("0.5")
    with pytest.raises(CellError, match="entre 0 et 1"):
        parse_fraction("1,01")


def test_parse_int():
    assert parse_int(" 1 024 ") == 1024
    assert parse_int("-8") == -8
    with pytest.raises(CellError, match="entier"):
        parse_int("8,5")


@pytest.mark.parametrize(
    ("text", "value"), [("Oui", True), ("O", True), ("non", False), ("N", False)]
)
def test_parse_yes_no(text, value):
    assert parse_yes_no(text) is value


def test_parse_yes_no_rejects():
    with pytest.raises(CellError, match="Oui"):
        parse_yes_no("peut-être")


@pytest.mark.parametrize(
    ("cell", "value"),
    [("'=SOMME(A1)", "=SOMME(A1)"), ("'-3", "-3"), ("'@web3", "@web3"), ("'+33", "+33"),
     ("'abc", "'abc"), ("'", "'"), ("D'Almeida", "D'Almeida"), ("", "")],
)
def test_unquote_formula(cell, value):
    assert unquote_formula(cell) == value


def test_neutralise_is_the_inverse_for_our_exports():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("Noé") == "Noé"
    assert neutralise(3) == 3
    assert unquote_formula(neutralise("@web3")) == "@web3"


def test_na_and_decimal_formatting():
    assert is_na("NA") and is_na(" ") and not is_na("0")
    assert format_decimal(Decimal("12.346")) == "12,35"
    assert format_decimal(0.5, places=1) == "0,5"
    assert format_decimal(None) == ""


# --- errors -------------------------------------------------------------------------------


def test_row_error_names_its_place_in_french():
    error = RowError(57, "date invalide « %(value)s »", column="DATE_NAISS", params={"value": "x"})
    assert str(error) == "Ligne 57, colonne « DATE_NAISS » : date invalide « x »"
    assert str(RowError(3, "prénom manquant")) == "Ligne 3 : prénom manquant"
    assert str(RowError(None, "Le fichier est vide.")) == "Le fichier est vide."


def test_file_rejected_carries_a_whole_file_error():
    rejected = FileRejected("Encodage %(name)s inconnu", name="UTF-7")
    assert rejected.error.line is None
    assert rejected.error.text == "Encodage UTF-7 inconnu"
