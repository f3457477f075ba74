"""Files built to exhaust a worker are refused by every reader, early, with a French message.

Each hostile file is built here at the size that hits its cap (`pix.limits`), not at the size
that once took gigabytes: it is the cap that is tested, not the time. Real files of the biggest
establishment stay under every cap.
"""

from __future__ import annotations

import io
import random
import signal
import struct
import zipfile
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime

import pytest

from pix import files, limits
from pix.archives import InflateBudget
from pix.campaigns import CampaignKind, read_campaign_export
from pix.candidates import read_candidates_csv
from pix.certification import read_certification_archive
from pix.fake_results import (
    Participant,
    fake_campaign_export_bytes,
    fake_certification_files,
    fake_certification_results_by_division,
    fake_certification_zip,
)
from pix.fakes import fake_establishment_pupils
from pix.files import RowError
from pix.pupils import read_pupil_base, write_pupil_csv, write_siecle_xml
from remediation.pixedu import read_pix_edu_csv

Reader = Callable[[bytes], tuple[int, list[RowError]]]


def _certification(data: bytes) -> tuple[int, list[RowError]]:
    results = read_certification_archive(data, filename="20260512_resultats_3A.csv")
    return sum(len(r.rows) for r in results), [e for r in results for e in r.errors]


READERS: dict[str, Reader] = {
    "pupils": lambda data: (len((b := read_pupil_base(data)).rows), b.errors),
    "campaign": lambda data: (len((e := read_campaign_export(data)).rows), e.errors),
    "certification": _certification,
    "candidates": lambda data: (len((c := read_candidates_csv(data))[0]), c[1]),
    "pix_edu": lambda data: (len((p := read_pix_edu_csv(data)).rows), p.errors),
}
ZIP_READERS = {name: READERS[name] for name in ("pupils", "certification")}


def refused(reader: Reader, data: bytes) -> str:
    """The one French error of a refused file, with its place."""
    rows, errors = reader(data)
    assert rows == 0
    assert len(errors) == 1, errors
    return str(errors[0])


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def raw_zip(name: bytes, content: bytes, *, flags: int = 0) -> bytes:
    """A one-file stored zip written byte by byte: `zipfile` cannot write an empty name."""
    crc, size = zlib.crc32(content), len(content)
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, 0, 0, 0, crc, size, size,
                        len(name), 0) + name + content
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, 0, 0, 0, crc, size,
                          size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end


HEADER = b"e-mail;positionnement;parcours;attestation;certification\n"


# --- text files: rows, line length, columns, cells, size, NUL ----------------------------


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_too_many_rows(reader):
    # 12 million tiny rows once took 4.1 GB: one row past the cap is enough to be refused.
    data = HEADER + b"a;b\n" * limits.MAX_LINES

    assert refused(reader, data) == (
        "Le fichier compte 50\u202f001 lignes, plus que les 50\u202f000 qu’un établissement "
        "peut avoir : ce n’est pas un fichier exporté de Pix.")


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_one_huge_line(reader):
    # A single 50 MB line once hung the pupil reader past 120 s.
    data = HEADER + b"x" * (5 * limits.MIB)

    assert refused(reader, data) == (
        "Ligne 2 : la ligne fait 5\u202f242\u202f880 caractères, plus que les 65\u202f536 "
        "qu’un fichier de Pix peut avoir : le fichier est endommagé ou ce n’est pas un fichier "
        "CSV.")


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_a_line_ended_by_old_mac_returns_is_counted_too(reader):
    data = HEADER.replace(b"\n", b"\r") + b"a;b\r" * limits.MAX_LINES

    assert "lignes, plus que les 50\u202f000" in refused(reader, data)


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_a_nul_byte_anywhere(reader):
    # Past the first 4 KB, a NUL byte once ended in IndexError or "Erreur inattendue".
    data = HEADER + b"a@b.fr;O;N;N;N\n" * 2000 + b"c@d.fr;O;\x00;N;N\n"

    assert refused(reader, data) == (
        "Ligne 2002 : le fichier contient un caractère nul (octet 0) : ce n’est pas un fichier "
        "texte. Téléchargez à nouveau le fichier, sans l’ouvrir ni l’enregistrer dans un autre "
        "logiciel.")


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_too_many_columns(reader):
    data = b";".join([b"c"] * (limits.MAX_COLUMNS + 1)) + b"\n1;2\n"

    assert refused(reader, data) == (
        "Ligne 1 : l’en-tête compte 1\u202f001 colonnes, plus que les 1\u202f000 qu’un fichier "
        "de Pix peut avoir.")


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_too_many_cells(reader):
    # Under the caps of columns and lines, yet one dict entry per cell would take gigabytes.
    columns = limits.MAX_COLUMNS
    data = b";".join([b"c"] * columns) + b"\n" + b"1\n" * (limits.MAX_CELLS // columns)

    assert refused(reader, data).startswith(
        "Le fichier compte trop de cellules (3\u202f002 lignes de 1\u202f000 colonnes, "
        "3\u202f000\u202f000 cellules au plus)")


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_a_file_over_the_upload_cap(reader):
    data = HEADER + b"a;b\n" * (limits.MAX_FILE_BYTES // 4)

    assert refused(reader, data) == (
        "Le fichier dépasse 25 Mo : ce n’est pas un fichier exporté de Pix ou de SIECLE, ou il "
        "regroupe plusieurs établissements.")


@pytest.mark.parametrize("name, header", [
    ("pupils", "Identifiant unique*;Premier prénom*;Nom de famille*;Code sexe*;"
               "Date de naissance (jj/mm/aaaa)*;Division*"),
    ("pix_edu", HEADER.decode().strip()),
    ("candidates", "* Nom de naissance;* Prénom;* Date de naissance (format : jj/mm/aaaa);"
                   "* Sexe (M ou F)"),
])
def test_reading_stops_after_many_errors(name, header):
    # Every line bad: the reader keeps the first errors and says where it stopped.
    data = (header + "\n" + "1234567890A;x;y;z;31/02/2011;w\n" * 3000).encode()

    rows, errors = READERS[name](data)

    assert rows == 0 and len(errors) == limits.MAX_ERRORS + 1
    assert str(errors[-1]).startswith("Ligne ")
    assert "Lecture arrêtée après 1\u202f000 erreurs" in str(errors[-1])


def test_campaign_and_certification_readers_stop_after_many_errors():
    rng = random.Random(3)
    participants = [Participant(f"NOM{i}", "Prénom", "3A", "3e") for i in range(1200)]
    export = fake_campaign_export_bytes(CampaignKind.PROFILES_COLLECTION, participants,
                                        rng=rng, code="ABCDEF123", name="Rentrée",
                                        share_rate=1.0, resend_rate=0.0)
    broken = export.replace(b';"Oui";', b';"Peut-etre";')
    rows, errors = READERS["campaign"](broken)
    assert len(errors) == limits.MAX_ERRORS + 1 and "Lecture arrêtée" in str(errors[-1])

    pupils = fake_establishment_pupils({"3A": 1200}, school_year=2025, rng=rng)
    files = fake_certification_files(
        fake_certification_results_by_division(pupils, rng=rng, taken_on=date(2026, 5, 5)),
        file_date=date(2026, 5, 12))
    (content,) = files.values()
    rows, errors = READERS["certification"](content.replace(b'"Valid', b'"Xalid'))
    assert len(errors) == limits.MAX_ERRORS + 1 and "Lecture arrêtée" in str(errors[-1])


# --- zips ---------------------------------------------------------------------------------

MEMBER = {"pupils": "ElevesSansAdresses.xml", "certification": "20260512_resultats_3A.csv"}


@pytest.mark.parametrize("name", ZIP_READERS)
def test_a_zip_bomb_is_stopped_while_inflating(name):
    # 45 MB of spaces deflate to 45 KB: its inflated size is counted chunk by chunk.
    data = zipped({MEMBER[name]: b" " * (limits.MAX_UNZIPPED_BYTES + 5 * limits.MIB)})
    assert len(data) < 100_000

    assert refused(READERS[name], data) == (
        "L’archive ZIP est trop volumineuse une fois décompressée (plus de 40 Mo) : ce n’est "
        "pas un export de Pix ou de SIECLE.")


@pytest.mark.parametrize("name", ZIP_READERS)
def test_a_bomb_spread_over_several_files_is_counted_as_a_whole(name):
    part = b" " * (limits.MAX_UNZIPPED_BYTES // 3 + 1)
    data = zipped({f"{i}_{MEMBER[name]}": part for i in range(4)})

    assert "trop volumineuse une fois décompressée" in refused(READERS[name], data)


def test_one_budget_for_all_the_zips_of_an_upload():
    part = zipped({"20260512_resultats_3A.csv": b" " * (limits.MAX_UNZIPPED_BYTES // 2 + 1)})
    budget = InflateBudget()

    first = read_certification_archive(part, filename="a.zip", budget=budget)
    second = read_certification_archive(part, filename="b.zip", budget=budget)

    assert "trop volumineuse" not in str(first[0].errors)
    assert "trop volumineuse une fois décompressée" in str(second[0].errors[0])


@pytest.mark.parametrize("name", ZIP_READERS)
@pytest.mark.parametrize("claimed", [1024, 40 * 1024 * 1024 - 1])
def test_a_zip_whose_headers_lie_about_sizes(name, claimed):
    # The sizes written in the zip say the file is small: they are never believed.
    real = b" " * (limits.MAX_UNZIPPED_BYTES + limits.MIB)
    data = bytearray(zipped({MEMBER[name]: real}))
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<L", data, central + 24, claimed)  # uncompressed size, central record
    struct.pack_into("<L", data, 22, claimed)  # and in the local header
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0].file_size == claimed

    assert refused(READERS[name], bytes(data)) == "L’archive ZIP est illisible ou endommagée."


@pytest.mark.parametrize("name", ZIP_READERS)
@pytest.mark.parametrize("member_name", [b"", b"\x00", b"\x00.csv", b"   "])
def test_a_member_without_a_name(name, member_name):
    # `zipfile` itself raises IndexError on an empty name (ZipInfo.is_dir).
    assert refused(READERS[name], raw_zip(member_name, b"a;b\n1;2\n")) == (
        "L’archive ZIP contient un fichier sans nom : elle est endommagée. Créez-la à nouveau "
        "à partir des fichiers d’origine.")


@pytest.mark.parametrize("name", ZIP_READERS)
@pytest.mark.parametrize("path", ["../../etc/eleves.xml", "/tmp/eleves.csv", "C:\\x\\e.csv",
                                  "a/../../e.xml"])
def test_path_tricks(name, path):
    assert refused(READERS[name], zipped({path: b"a"})) == (
        f"L’archive ZIP contient un chemin de fichier non valide (« {path} ») : créez-la à "
        "nouveau à partir des fichiers d’origine.")


@pytest.mark.parametrize("name", ZIP_READERS)
def test_a_zip_inside_the_zip(name):
    inner = zipped({MEMBER[name]: b"a"})

    assert refused(READERS[name], zipped({"dedans.zip": inner})) == (
        "L’archive ZIP contient une autre archive (« dedans.zip ») : décompressez-la et envoyez "
        "les fichiers qu’elle contient.")
    # renamed: told by its content
    assert "contient une autre archive (« " + MEMBER[name] in refused(
        READERS[name], zipped({MEMBER[name]: inner}))


@pytest.mark.parametrize("name", ZIP_READERS)
@pytest.mark.parametrize("method, label", [(zipfile.ZIP_BZIP2, "bzip2"),
                                           (zipfile.ZIP_LZMA, "LZMA")])
def test_a_bzip2_or_lzma_bomb(name, method, label):
    # zipfile inflates these in one call, unbounded: 8 MB of spaces in bzip2 take 60 bytes.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr(MEMBER[name], b" " * (8 * limits.MIB))
    assert len(buffer.getvalue()) < 2_000

    assert refused(READERS[name], buffer.getvalue()) == (
        f"L’archive ZIP est compressée avec une méthode non prise en charge ({label}) : "
        "créez-la à nouveau avec l’outil de compression de Windows ou de macOS.")


@pytest.mark.parametrize("name", ZIP_READERS)
def test_too_many_files_in_the_zip(name):
    data = zipped({f"{i}_{MEMBER[name]}": b"a" for i in range(limits.MAX_ZIP_MEMBERS + 1)})

    assert refused(READERS[name], data) == (
        "L’archive ZIP contient trop de fichiers (201, au plus 200).")


@pytest.mark.parametrize("name", ZIP_READERS)
def test_a_zip_of_folders_only(name):
    data = zipped({"classes/": b"", "classes/3A/": b""})

    assert refused(READERS[name], data) in (
        "L’archive zip ne contient aucun fichier XML (export SIECLE).",
        "L’archive ZIP ne contient aucun fichier CSV de résultats de certification.")


@pytest.mark.parametrize("name", ZIP_READERS)
def test_a_password_protected_zip(name):
    data = raw_zip(MEMBER[name].encode(), b"chiffre", flags=0x1)

    assert refused(READERS[name], data) == (
        "L’archive ZIP est protégée par un mot de passe : créez-la à nouveau sans mot de passe.")


@pytest.mark.parametrize("name", ZIP_READERS)
def test_an_end_record_announcing_too_many_files(name):
    data = bytearray(zipped({MEMBER[name]: b"a"}))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<2H", data, end + 8, 60_000, 60_000)

    assert refused(READERS[name], bytes(data)) == (
        "L’archive ZIP contient trop de fichiers (60\u202f000, au plus 200).")


# --- SIECLE XML ---------------------------------------------------------------------------

XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<BEE_ELEVES>\n<DONNEES>'
XML_TAIL = b"</DONNEES></BEE_ELEVES>\n"


def test_xml_nested_too_deep():
    data = XML_HEAD + b"<a>" * 40 + b"</a>" * 40 + XML_TAIL

    assert refused(READERS["pupils"], data) == (
        "Ligne 3 : le fichier XML imbrique plus de 32 niveaux d’éléments : ce n’est pas un "
        "export SIECLE.")


def test_xml_huge_text_node():
    data = XML_HEAD + b"<NOM>" + b"x" * (limits.MAX_XML_TEXT + 1) + b"</NOM>" + XML_TAIL

    assert refused(READERS["pupils"], data) == (
        "Ligne 3 : l’élément « NOM » contient plus de 10\u202f000 caractères : ce n’est pas un "
        "export SIECLE.")


def test_xml_too_many_elements():
    data = XML_HEAD + b"<a/>" * limits.MAX_XML_ELEMENTS + XML_TAIL

    assert refused(READERS["pupils"], data) == (
        "Ligne 3 : le fichier XML compte plus de 500\u202f000 éléments : ce n’est pas un export "
        "SIECLE d’un seul établissement.")


def test_xml_nul_byte():
    data = XML_HEAD + b"\n<ELEVES>\x00</ELEVES>" + XML_TAIL

    assert refused(READERS["pupils"], data).startswith(
        "Ligne 4 : le fichier contient un caractère nul (octet 0)")


def test_xml_entities_stay_refused():
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<BEE_ELEVES>&b;</BEE_ELEVES>')

    assert "déclaration d’entité refusée" in refused(READERS["pupils"], data)


# --- real files of the biggest establishment stay under every cap --------------------------

LYCEE = [(f"2{n}", "2de", 35) for n in range(30)] + [(f"1{n}", "1re", 35) for n in range(30)] + [
    (f"T{n}", "Tle", 35) for n in range(26)]


@pytest.fixture(scope="module")
def lycee_pupils():
    return fake_establishment_pupils(LYCEE, school_year=2025, rng=random.Random(7))


def test_a_lycee_of_3000_pupils_reads_whole(lycee_pupils):
    xml = write_siecle_xml(lycee_pupils, uai="0170001A", school_year=2025)
    for data in (xml, zipped({"ElevesSansAdresses.xml": xml}), write_pupil_csv(lycee_pupils)):
        base = read_pupil_base(data)
        assert base.errors == [] and len(base.rows) == 3010


def test_a_campaign_of_the_whole_lycee_reads_whole(lycee_pupils):
    participants = [Participant(p.last_name, p.first_name, p.division, "2de")
                    for p in lycee_pupils]
    data = fake_campaign_export_bytes(
        CampaignKind.PROFILES_COLLECTION, participants, rng=random.Random(8), code="LYCEEB123",
        name="Rentrée", resend_rate=0.5, start=datetime(2025, 9, 8, 8, 0))

    export = read_campaign_export(data)

    assert export.errors == [] and len(export.rows) > 4000


def test_a_certification_zip_of_40_classes_reads_whole(lycee_pupils):
    rng = random.Random(9)
    forty = [p for p in lycee_pupils if p.division[:1] in "T1"][: 40 * 35]
    files = fake_certification_files(
        fake_certification_results_by_division(forty, rng=rng, taken_on=date(2026, 5, 5)),
        file_date=date(2026, 5, 12))

    results = read_certification_archive(fake_certification_zip(files))

    assert len(results) == 40 and all(r.ok for r in results)
    assert sum(len(r.rows) for r in results) == 40 * 35


# --- inside the caps: no step of a reader may be quadratic -------------------------------------


@contextmanager
def at_most(seconds: int):
    """Fails a step that takes minutes on a slow pattern (seconds on a sound one)."""
    def stop(*_args):
        raise AssertionError(f"still running after {seconds} s: a quadratic step?")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_an_encoding_is_told_from_a_bounded_sample(monkeypatch):
    # 24 MB of accented letters in Windows-1252 once cost a minute of scoring.
    calls = []
    plausible = files._plausible
    monkeypatch.setattr(files, "_plausible", lambda text, i: calls.append(i) or plausible(text, i))
    data = b"e-mail;positionnement\n" + (b"\xe9" * 60_000 + b"\n") * 400

    read_pix_edu_csv(data)

    assert 0 < len(calls) <= 2 * 20_000


@pytest.mark.parametrize("reader, header", [
    ("pix_edu", HEADER),
    ("candidates", "* Nom de naissance;* Prénom;* Date de naissance (format : jj/mm/aaaa);"
                   "* Sexe (M ou F);E-mail de convocation\n".encode()),
])
def test_a_long_address_is_refused_without_a_slow_pattern(reader, header):
    cell = "a@" + "b." * 30_000 + ";"
    line = (f'"{cell}";O;N;N;N\n' if reader == "pix_edu"
            else f'MARTIN;Léa;04/03/2011;F;"{cell}"\n')

    with at_most(10):
        rows, errors = READERS[reader](header + line.encode() * 20)

    assert rows == 0 and errors
    quoted = [v for e in errors for v in e.params.values() if isinstance(v, str)]
    assert all(len(v) <= 101 for v in quoted)  # a cell quoted in a message is cut


def test_a_header_of_spaces_is_read_without_a_slow_pattern():
    header = "Nom du Participant;Partage (O/N);x" + " " * 60_000 + "y obtenu (O/N)"

    with at_most(10):
        rows, errors = READERS["campaign"]((header + "\n").encode())

    assert errors


@pytest.mark.parametrize("name", ZIP_READERS)
def test_a_member_name_longer_than_a_file_system_allows(name):
    long_name = "x" * 300 + ".csv"

    assert "chemin de fichier non valide" in refused(READERS[name], zipped({long_name: b"a"}))
