"""Every reader, fed random bytes or a real-format file damaged at random, gives rows or French
errors: never an exception. (The pupil reader has its own in test_pupils.py.)

The valid files come from the project's generators; the examples are few and small so that the
suite stays fast, and hypothesis keeps the failing ones in its database when one appears.
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pix.campaigns import CampaignKind, read_campaign_export
from pix.candidates import Candidate, read_candidates_csv, write_candidates_csv
from pix.certification import read_certification_archive, read_certification_results
from pix.fake_results import (
    Participant,
    fake_campaign_export_bytes,
    fake_certification_files,
    fake_certification_results_by_division,
    fake_certification_zip,
)
from pix.fakes import fake_establishment_pupils
from pix.files import RowError
from pix.pupils import read_pupil_base, write_siecle_xml
from remediation.pixedu import HEADER, read_pix_edu_csv

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_RNG = random.Random(11)
_PUPILS = fake_establishment_pupils({"3A": 6, "3B": 5}, school_year=2025, rng=_RNG)
_PARTICIPANTS = [Participant(p.last_name, p.first_name, p.division, "3e") for p in _PUPILS]
PROFILES = fake_campaign_export_bytes(CampaignKind.PROFILES_COLLECTION, _PARTICIPANTS[:6],
                                      rng=_RNG, code="FUZZ12345", name="Rentrée")
ASSESSMENT = fake_campaign_export_bytes(CampaignKind.ASSESSMENT, _PARTICIPANTS[:4], rng=_RNG,
                                        code="FUZZ67890", name="Parcours 3e",
                                        skill_names=("@web3", "@rechinfo2"))
_CERTIFICATION_FILES = fake_certification_files(
    fake_certification_results_by_division(_PUPILS, rng=_RNG, taken_on=date(2026, 5, 5)),
    file_date=date(2026, 5, 12))
CERTIFICATION_CSV = next(iter(_CERTIFICATION_FILES.values()))
CERTIFICATION_ZIP = fake_certification_zip(_CERTIFICATION_FILES)
CANDIDATES = write_candidates_csv([
    Candidate(p.last_name, p.first_name, p.birthdate, p.sex, insee_code="17300")
    for p in _PUPILS[:4]])
PIX_EDU = (HEADER + "\nprof@test.fr;12/09/2025;O;N;;O\nprof2@test.fr;oui;;;;\n").encode()
SIECLE_ZIP = io.BytesIO()
with zipfile.ZipFile(SIECLE_ZIP, "w", zipfile.ZIP_DEFLATED) as _archive:
    _archive.writestr("ElevesSansAdresses.xml",
                      write_siecle_xml(_PUPILS, uai="0170001A", school_year=2025))


def check(rows: int, errors: list[RowError]) -> None:
    assert rows or errors
    for error in errors:
        assert isinstance(error, RowError)
        assert str(error)  # the French text can always be rendered with its parameters


def damaged(source: bytes, cut: int, position: int, value: int, insert: bytes) -> bytes:
    data = bytearray(source[: max(cut, 1)])
    data[position % len(data)] = value
    spot = (position * 7) % len(data)
    return bytes(data[:spot] + insert + data[spot:])


DAMAGE = {
    "cut": st.integers(min_value=0, max_value=20_000),
    "position": st.integers(min_value=0, max_value=20_000),
    "value": st.integers(min_value=0, max_value=255),
    "insert": st.sampled_from([b"", b"\x00", b";", b'"', b"\n", b"\r", b"PK\x03\x04", b"\xff",
                               b"<a>", b"&x;", "é".encode("cp1252")]),
}


def campaign(data: bytes) -> None:
    export = read_campaign_export(data)
    check(len(export.rows), export.errors)


def certification(data: bytes) -> None:
    results = read_certification_archive(data, filename="20260512_resultats_3A.csv")
    assert results
    for result in results:
        check(len(result.rows) or 1, result.errors + result.warnings)


def candidates(data: bytes) -> None:
    rows, errors = read_candidates_csv(data)
    check(len(rows), errors)


def pix_edu(data: bytes) -> None:
    parsed = read_pix_edu_csv(data, today=date(2026, 1, 1))
    check(len(parsed.rows), parsed.errors)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_campaign_reader_on_random_bytes(data):
    campaign(data)


@FUZZ
@given(source=st.sampled_from([PROFILES, ASSESSMENT]), **DAMAGE)
def test_campaign_reader_on_damaged_exports(source, cut, position, value, insert):
    campaign(damaged(source, cut, position, value, insert))


@FUZZ
@given(data=st.binary(max_size=3000))
def test_certification_reader_on_random_bytes(data):
    certification(data)
    results = read_certification_results(data)
    check(len(results.rows) or 1, results.errors)


@FUZZ
@given(source=st.sampled_from([CERTIFICATION_CSV, CERTIFICATION_ZIP]), **DAMAGE)
def test_certification_reader_on_damaged_files_and_zips(source, cut, position, value, insert):
    certification(damaged(source, cut, position, value, insert))


@FUZZ
@given(data=st.binary(max_size=3000))
def test_candidates_reader_on_random_bytes(data):
    candidates(data)


@FUZZ
@given(**DAMAGE)
def test_candidates_reader_on_damaged_lists(cut, position, value, insert):
    candidates(damaged(CANDIDATES, cut, position, value, insert))


@FUZZ
@given(data=st.binary(max_size=3000))
def test_pix_edu_reader_on_random_bytes(data):
    pix_edu(data)


@FUZZ
@given(**DAMAGE)
def test_pix_edu_reader_on_damaged_files(cut, position, value, insert):
    pix_edu(damaged(PIX_EDU, cut, position, value, insert))


@FUZZ
@given(**DAMAGE)
def test_pupil_reader_on_damaged_siecle_zips(cut, position, value, insert):
    base = read_pupil_base(damaged(SIECLE_ZIP.getvalue(), cut, position, value, insert))
    check(len(base.rows), base.errors)
