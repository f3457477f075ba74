"""The certification results import: real-format files written by the project's generator,
both layouts, several files, a zip; every bad input refused with a clear French error; nothing
written twice; candidates matched to pupils by names and birthdate."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from certification.imports import certification_results_import, describe
from certification.models import AnalysisSummary, CertificationResult
from certification.results_matching import KnownPupil, PupilDirectory, match_result
from establishments.models import Enrolment, Pupil, SchoolYear
from jobs.models import Job
from pix.certification import CertificationStatus
from pix.referential import COMPETENCE_CODES
from tests.certification.results_world import (
    YEAR,
    as_candidate,
    candidates_of,
    cert_row,
    files_of,
    generated_rows,
    import_files,
    zip_of,
)
from tests.conftest import import_fake_pupils, make_establishment

Match = CertificationResult.Match


def pupils_of(establishment, division):
    return list(
        Pupil.objects.filter(establishment=establishment, enrolments__school_class__code=division)
        .order_by("last_name", "first_name", "pk")
    )


def generated_files(world, *, newer=False, divisions=("3A", "5A"), seed=1):
    rows = {d: generated_rows(candidates_of(world.establishment, d), seed=seed + i, newer=newer,
                              session=str(7001 + i))
            for i, d in enumerate(divisions)}
    return rows, files_of(rows, newer=newer)


def stored(establishment):
    return {r.certification_number: r for r in
            CertificationResult.objects.filter(establishment=establishment)}


# --- both layouts, several files, a zip -------------------------------------------------------


@pytest.mark.parametrize("newer", [False, True], ids=["older layout", "newer layout"])
def test_several_files_import_every_row_with_its_meaning(world, newer):
    rows, files = generated_files(world, newer=newer)

    report = import_files(world.establishment, files)

    every = [row for division_rows in rows.values() for row in division_rows]
    assert report.counts["files"] == 2
    assert report.counts["certifications"] == report.counts["added"] == len(every) == 12
    assert report.school_years == [YEAR]
    results = stored(world.establishment)
    for division, division_rows in rows.items():
        for row in division_rows:
            result = results[row.certification_number]
            assert result.division == division
            assert result.status == row.status.value
            assert result.pix == row.pix
            # "-" stays None (not tested), 0 stays 0 (not certified)
            assert result.competence_levels == dict(row.competence_levels)
            assert result.taken_on == row.taken_on
            assert result.school_year.start_year == YEAR
            assert result.session_number == row.session
            assert result.global_level == row.global_level
            assert result.match == Match.AUTO, "same names and birthdate: automatic"
            assert result.pupil.birthdate == row.birthdate
    # Both layouts give None and 0 somewhere: the meaning is not lost either way.
    all_levels = [v for r in results.values() for v in r.competence_levels.values()]
    assert None in all_levels and 0 in all_levels


def test_newer_layout_rejected_reads_non_obtenue_as_rejected(world):
    pupil = pupils_of(world.establishment, "3A")[0]
    rows = {"3A": [cert_row(as_candidate(pupil, "3A"), number="100001", status="rejected",
                            pix=0, competences=None, newer=True)]}
    files = files_of(rows, newer=True)
    assert b"Non obtenue" in next(iter(files.values()))

    import_files(world.establishment, files)

    result = CertificationResult.objects.get(certification_number="100001")
    assert result.status == CertificationResult.Status.REJECTED
    assert result.pix == 0
    assert result.competence_levels == dict.fromkeys(COMPETENCE_CODES)


def test_a_zip_of_class_files_imports_like_the_files(world):
    rows, files = generated_files(world)

    report = import_files(world.establishment, {"resultats.zip": zip_of(files)})

    assert report.counts["files"] == 2
    assert {r.division for r in stored(world.establishment).values()} == {"3A", "5A"}


def test_the_command_imports_files_and_builds_the_analysis(world, tmp_path):
    rows, files = generated_files(world)
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    out = io.StringIO()

    call_command("import_certification_results", "--uai", world.establishment.uai, *paths,
                 stdout=out)

    assert "2 fichier(s), 12 certifications" in out.getvalue()
    assert CertificationResult.objects.filter(establishment=world.establishment).count() == 12
    assert set(AnalysisSummary.objects.filter(establishment=world.establishment)
               .values_list("division", flat=True)) == {"", "3A", "5A"}


def test_the_browser_upload_takes_several_files_and_runs_a_job(world, login,
                                                               django_capture_on_commit_callbacks):
    rows, files = generated_files(world)
    client = login(world.rupn)
    uploads = []
    for name, data in files.items():
        upload = io.BytesIO(data)
        upload.name = name
        uploads.append(upload)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:results_import"), {"files": uploads})

    job = Job.objects.get(kind=Job.Kind.CERTIFICATION_IMPORT)
    assert response.status_code == 302
    assert response.url == reverse("certification:results_import_job", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.counts["certifications"] == 12
    assert job.counts["school_years"] == [YEAR]
    assert job.params["files"] == list(files)
    assert job.file_deleted_at is None and bytes(job.payload)  # kept for its retention
    assert CertificationResult.objects.filter(establishment=world.establishment).count() == 12
    # the analysis task ran after the import's commit
    assert AnalysisSummary.objects.filter(establishment=world.establishment, division="").exists()
    page = client.get(response.url)
    assert "Certifications dans les fichiers" in page.content.decode()


# --- bad input: a clear French error, nothing written ---------------------------------------


def hand_files(world, division="5A", numbers=("300001", "300002")):
    """A class file whose first row (line 2) is validated, the second rejected."""
    first, second = pupils_of(world.establishment, division)[:2]
    rows = [cert_row(as_candidate(first, division), number=numbers[0], pix=250, competences=2),
            cert_row(as_candidate(second, division), number=numbers[1], status="rejected",
                     pix=0, competences=0)]
    return files_of({division: rows})


BAD_INPUTS = {
    "unknown status": (
        lambda good: good.replace('"Validée"'.encode(), b'"Valide"'),
        "statut inconnu « Valide » (Validée, Rejetée, Annulée, En erreur, Démarrée, Non obtenue "
        "attendu)", 2, "Statut"),
    "pix out of range": (
        lambda good: good.replace(b'"Valid\xc3\xa9e";250;', b'"Valid\xc3\xa9e";2500;'),
        "nombre de pix entre 0 et 1024 ou « - » attendu, « 2500 » trouvé", 2, "Nombre de Pix"),
    "missing value": (
        lambda good: good.replace(b'"Rejet\xc3\xa9e";0;', b'"Rejet\xc3\xa9e";;'),
        "valeur manquante (un nombre de pix ou « - » attendu)", 3, "Nombre de Pix"),
    "missing column": (
        lambda good: good.replace(b'"Date de passage de la certification"', b'"Date"'),
        "Colonne manquante : « Date de passage de la certification ».", None,
        "Date de passage de la certification"),
    "a PDF": (lambda good: b"%PDF-1.7 ...", "Ce fichier est un PDF (une attestation ?), pas un "
              "fichier CSV de résultats de certification.", None, None),
    "empty file": (lambda good: b"", "Le fichier est vide.", None, None),
    "a campaign export": (
        lambda good: '\ufeff"Nom de l\'organisation";"ID Campagne";"Code";"Envoi (O/N)"\n'
                     '"X";1;"AAAAAA111";"Oui"\n'.encode(),
        "Ce fichier ressemble à un export de résultats de campagne Pix Orga, pas à des "
        "résultats de certification.", None, None),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_with_file_and_line_and_nothing_is_written(world, case):
    make, expected, line, column = BAD_INPUTS[case]
    (name, good), = hand_files(world).items()
    other = hand_files(world, "3A", numbers=("400001", "400002"))

    report = certification_results_import(
        establishment=world.establishment, files=[*other.items(), (name, make(good))],
    )

    assert not report.ok
    assert CertificationResult.objects.count() == 0
    assert [(e.line, e.column, e.text) for e in report.errors] == [(line, column, expected)]
    where = f"« {name} »" + (f", ligne {line}" if line else "") + (
        f", colonne « {column} »" if column else "")
    assert describe(report.errors[0]) == f"{where} : {expected}"


def first_validated(rows):
    return next(r for r in rows if r.status is CertificationStatus.VALIDATED)


def test_a_level_out_of_range_names_its_file_line_and_column(world):
    rows, files = generated_files(world, divisions=("5A",))
    name, data = next(iter(files.items()))
    target = first_validated(rows["5A"])
    lines = data.decode("utf-8").split("\n")
    cells = lines[target.line - 1].split(";")
    cells[8] = "9"  # 1.1: the framework has 8 levels
    lines[target.line - 1] = ";".join(cells)

    report = certification_results_import(establishment=world.establishment,
                                          files=[(name, "\n".join(lines).encode("utf-8"))])

    assert [describe(e) for e in report.errors] == [
        f"« {name} », ligne {target.line}, colonne « 1.1 » : niveau entre 0 et 8 ou « - » "
        "attendu, « 9 » trouvé"
    ]
    assert CertificationResult.objects.count() == 0


def test_the_same_certification_in_two_files_is_refused(world):
    rows, files = generated_files(world, divisions=("5A",))
    name, data = next(iter(files.items()))

    report = certification_results_import(
        establishment=world.establishment,
        files=[(name, data), ("20270512_resultats_5A (1).csv", data)],
    )

    assert not report.ok
    first = rows["5A"][0]
    assert describe(report.errors[0]) == (
        f"« 20270512_resultats_5A (1).csv », ligne 2, colonne « Numéro de certification » : "
        f"numéro de certification {first.certification_number} déjà présent dans « {name} », "
        "ligne 2 : chaque certification ne doit figurer qu’une fois parmi les fichiers envoyés."
    )
    assert len(report.errors) == len(rows["5A"])
    assert CertificationResult.objects.count() == 0


def test_the_command_exits_1_with_every_error_and_writes_nothing(world, tmp_path):
    rows, files = generated_files(world, divisions=("5A",))
    name, good = next(iter(files.items()))
    (tmp_path / name).write_bytes(good)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    broken = good.replace('"Validée"'.encode(), b'"Valide"')
    broken_name = f"{YEAR + 1}0512_resultats_5B.csv"
    (tmp_path / broken_name).write_bytes(broken)
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_certification_results", "--uai", world.establishment.uai,
                     str(tmp_path / name), str(tmp_path / "notes.pdf"),
                     str(tmp_path / broken_name), stderr=err)

    validated = sum(r.status is CertificationStatus.VALIDATED for r in rows["5A"])
    errors = err.getvalue().strip().splitlines()
    assert len(errors) == 1 + validated
    assert errors[0].startswith("« notes.pdf » : Ce fichier est un PDF")
    assert all(f"« {broken_name} », ligne" in e for e in errors[1:])
    assert "rien n’a été enregistré" in str(raised.value)
    assert CertificationResult.objects.count() == 0
    # and the exit status of a CommandError is 1
    with pytest.raises(SystemExit) as exited:
        from django.core.management import execute_from_command_line
        execute_from_command_line(["manage.py", "import_certification_results", "--uai",
                                   world.establishment.uai, str(tmp_path / "notes.pdf")])
    assert exited.value.code == 1


def test_a_long_value_is_refused(world):
    pupil = pupils_of(world.establishment, "3A")[0]
    row = cert_row(as_candidate(pupil, "3A"), number="100001", pix=100, competences=1,
                   session="S" * 21)

    report = certification_results_import(establishment=world.establishment,
                                          files=list(files_of({"3A": [row]}).items()))

    assert [e.text for e in report.errors] == ["valeur trop longue (20 caractères au plus)"]
    assert report.errors[0].column == "Session"


def test_no_file_is_an_error():
    report = certification_results_import(establishment=None, files=[])
    assert [e.text for e in report.errors] == ["Aucun fichier n’a été envoyé."]


# --- idempotence --------------------------------------------------------------------------------


def test_importing_the_same_files_twice_changes_nothing(world):
    rows, files = generated_files(world)
    import_files(world.establishment, files)
    before = {n: (r.imported_at, r.pk) for n, r in stored(world.establishment).items()}
    summaries = {s.division: (s.built_at, s.figures) for s in AnalysisSummary.objects.all()}

    report = import_files(world.establishment, files)

    assert report.counts["added"] == report.counts["changed"] == 0
    assert report.counts["kept"] == 12
    assert {n: (r.imported_at, r.pk) for n, r in stored(world.establishment).items()} == before
    assert {s.division: (s.built_at, s.figures) for s in AnalysisSummary.objects.all()} \
        == summaries


def test_a_newer_download_updates_results_in_place(world):
    pupils = pupils_of(world.establishment, "3A")
    started = cert_row(as_candidate(pupils[0], "3A"), number="100001", status="started",
                       competences=None)
    other = cert_row(as_candidate(pupils[1], "3A"), number="100002", pix=200, competences=2)
    import_files(world.establishment, files_of({"3A": [started, other]}))
    first = CertificationResult.objects.get(certification_number="100001")

    finalised = cert_row(as_candidate(pupils[0], "3A"), number="100001", pix=412,
                         competences=3)
    report = import_files(world.establishment, files_of({"3A": [finalised, other]}))

    assert (report.counts["changed"], report.counts["kept"]) == (1, 1)
    result = CertificationResult.objects.get(certification_number="100001")
    assert result.pk == first.pk
    assert (result.status, result.pix) == ("validated", 412)
    assert CertificationResult.objects.count() == 2
    summary = AnalysisSummary.objects.get(division="")
    assert summary.figures["statuses"]["validated"] == 2


def test_the_school_year_comes_from_the_date_taken(world):
    pupils = pupils_of(world.establishment, "3A")
    may = cert_row(as_candidate(pupils[0], "3A"), number="100001", pix=100, competences=1,
                   when=date(YEAR, 5, 5))  # May of the year the school year ends: the previous
    october = cert_row(as_candidate(pupils[1], "3A"), number="100002", pix=100, competences=1,
                       when=date(YEAR, 10, 5))

    report = import_files(world.establishment, files_of({"3A": [may, october]}))

    assert report.school_years == [YEAR - 1, YEAR]
    years = dict(CertificationResult.objects.values_list("certification_number",
                                                         "school_year__start_year"))
    assert years == {"100001": YEAR - 1, "100002": YEAR}


# --- matching by names and birthdate -------------------------------------------------------------


def test_matching_needs_names_and_birthdate(world):
    first, second, third, fourth, *_ = pupils_of(world.establishment, "3A")
    rows = [
        cert_row(as_candidate(first, "3A"), number="100001", pix=100, competences=1),
        # another birthdate: perhaps a homonym, perhaps a typo: a person decides
        cert_row(as_candidate(second, "3A", birthdate=date(2000, 1, 1)), number="100002",
                 pix=100, competences=1),
        # born the same day as `third`, first name spelled otherwise: suggested, never automatic
        cert_row(as_candidate(third, "3A", first_name=third.first_name + "e"),
                 number="100003", pix=100, competences=1),
        # nobody
        cert_row(as_candidate(fourth, "3A", last_name="ZZINCONNU", first_name="Personne",
                              birthdate=date(2001, 2, 3)), number="100004", pix=100,
                 competences=1),
        # accents, case and hyphens do not matter
        cert_row(as_candidate(fourth, "3A", last_name=fourth.display_last_name.lower()
                              .replace(" ", "-"), first_name=fourth.first_name.upper()),
                 number="100005", pix=100, competences=1),
    ]

    report = import_files(world.establishment, files_of({"3A": rows}))

    results = stored(world.establishment)
    assert (results["100001"].match, results["100001"].pupil) == (Match.AUTO, first)
    assert (results["100002"].match, results["100002"].pupil) == (Match.PENDING, None)
    assert results["100002"].candidates == [second.pk]
    assert (results["100003"].match, results["100003"].candidates) == (Match.PENDING,
                                                                       [third.pk])
    assert (results["100004"].match, results["100004"].candidates) == (Match.PENDING, [])
    assert (results["100005"].match, results["100005"].pupil) == (Match.AUTO, fourth)
    assert (report.counts["matched"], report.counts["pending"]) == (2, 3)


def test_homonyms_are_told_apart_by_their_birthdate(db):
    establishment = make_establishment("0170200A", "Collège Homonymes")
    import_fake_pupils(establishment, divisions=(("3A", "3e", 8), ("3B", "3e", 8)), seed=4,
                       homonyms=2)
    pairs = {}
    for pupil in Pupil.objects.filter(establishment=establishment):  # same birth names
        pairs.setdefault((pupil.last_name, pupil.first_name_key), []).append(pupil)
    homonyms = [pupils for pupils in pairs.values() if len(pupils) == 2]
    assert len(homonyms) == 2
    rows, line = {}, 0
    for pair in homonyms:
        for pupil in pair:
            line += 1
            code = Enrolment.objects.get(pupil=pupil).school_class.code
            rows.setdefault(code, []).append(
                cert_row(as_candidate(pupil, code, last_name=pupil.last_name.upper()),
                         number=f"20000{line}", pix=100, competences=1))

    import_files(establishment, files_of(rows))

    for result in CertificationResult.objects.all():
        assert result.match == Match.AUTO
        assert result.pupil.birthdate == result.birthdate
        assert result.pupil.enrolments.get().school_class.code == result.division
    assert CertificationResult.objects.values("pupil").distinct().count() == 4


def test_homonyms_born_the_same_day_are_told_apart_by_their_class_or_wait():
    same_day = date(2011, 3, 1)
    pupils = PupilDirectory.build([
        KnownPupil(1, ("martin",), "lea", same_day, "3A"),
        KnownPupil(2, ("martin",), "lea", same_day, "3B"),
    ])

    in_3b = match_result(last_name_key="martin", first_name_key="lea", birthdate=same_day,
                         division="3B", pupils=pupils)
    elsewhere = match_result(last_name_key="martin", first_name_key="lea", birthdate=same_day,
                             division="3C", pupils=pupils)

    assert (in_3b.pupil_id, in_3b.status) == (2, Match.AUTO)
    assert (elsewhere.pupil_id, elsewhere.status, elsewhere.candidates) == (
        None, Match.PENDING, (1, 2))


def test_a_usage_name_or_birth_name_matches_and_compound_names_are_compacted():
    born = date(2011, 3, 1)
    pupils = PupilDirectory.build([
        KnownPupil(7, ("dupont", "le gall"), "anne marie", born, "3A"),
    ])
    for last, first in (("dupont", "anne marie"), ("legall", "annemarie"),
                        ("le gall", "anne marie")):
        found = match_result(last_name_key=last, first_name_key=first, birthdate=born,
                             division="3A", pupils=pupils)
        assert (found.pupil_id, found.status) == (7, Match.AUTO), (last, first)
    no_birthdate = match_result(last_name_key="dupont", first_name_key="anne marie",
                                birthdate=None, division="3A", pupils=pupils)
    assert (no_birthdate.status, no_birthdate.candidates) == (Match.PENDING, (7,))


def test_decisions_survive_reimports(world, login):
    first, second, *_ = pupils_of(world.establishment, "3A")
    rows = [
        cert_row(as_candidate(first, "3A", birthdate=date(2000, 1, 1)), number="100001",
                 pix=100, competences=1),
        cert_row(as_candidate(second, "3A", last_name="ZZINCONNU"), number="100002", pix=100,
                 competences=1),
    ]
    files = files_of({"3A": rows})
    import_files(world.establishment, files)
    client = login(world.rupn)
    results = stored(world.establishment)

    client.post(reverse("certification:result_decide", args=[results["100001"].pk]),
                {"action": "confirm", "pupil": first.pk})
    client.post(reverse("certification:result_decide", args=[results["100002"].pk]),
                {"action": "reject"})
    report = import_files(world.establishment, files)

    results = stored(world.establishment)
    assert (results["100001"].match, results["100001"].pupil) == (Match.CONFIRMED, first)
    assert (results["100002"].match, results["100002"].pupil) == (Match.NOT_OURS, None)
    assert report.counts["kept"] == 2
    assert (report.counts["matched"], report.counts["not_ours"]) == (1, 1)


def test_pupils_imported_later_are_found_at_the_next_import(world):
    school_year = SchoolYear.objects.get(start_year=YEAR)
    late = Pupil(establishment=world.establishment, ine="1234567890A", last_name="NOUVEAU",
                 first_name="Arrivé", sex="M", birthdate=date(2011, 6, 6))
    row = cert_row(as_candidate(late, "3A"), number="100001", pix=100, competences=1)
    files = files_of({"3A": [row]})
    import_files(world.establishment, files)
    assert CertificationResult.objects.get().match == Match.PENDING

    late.save()
    Enrolment.objects.create(pupil=late, school_year=school_year,
                             school_class=world.establishment.classes.get(code="3A"))
    report = import_files(world.establishment, files)

    assert report.counts["changed"] == 1
    assert CertificationResult.objects.get().pupil == late


def test_a_file_named_otherwise_is_read_with_a_warning_and_the_pupils_class(world):
    pupil = pupils_of(world.establishment, "3A")[0]
    (name, data), = files_of({"3A": [cert_row(as_candidate(pupil, "3A"), number="100001",
                                              pix=100, competences=1)]}).items()

    report = certification_results_import(establishment=world.establishment,
                                          files=[("resultats certification.csv", data)])

    assert report.ok
    assert [describe(w) for w in report.warnings] == [
        "« resultats certification.csv » : Le nom du fichier « resultats certification.csv » "
        "n’est pas celui d’un fichier de résultats par classe (AAAAMMJJ_resultats_<classe>.csv)"
        " : la classe n’a pas pu en être déduite."]
    assert CertificationResult.objects.get().division == "3A"  # the matched pupil's class


def test_a_refused_upload_lists_every_error_with_its_file_on_the_job_page(
        world, login, django_capture_on_commit_callbacks):
    (name, good), = hand_files(world).items()
    client = login(world.rupn)
    bad = io.BytesIO(good.replace('"Validée"'.encode(), b'"Valide"'))
    bad.name = name
    pdf = io.BytesIO(b"%PDF-1.4")
    pdf.name = "attestation.pdf"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:results_import"), {"files": [bad, pdf]})

    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert CertificationResult.objects.count() == 0
    page = client.get(response.url)
    errors = page.context["errors"]
    assert [(e["file"], e["line"], e["column"]) for e in errors] == [
        ("attestation.pdf", None, None), (name, 2, "Statut")]
    html = page.content.decode()
    assert "rien n’a été enregistré" in html and "statut inconnu « Valide »" in html


def test_running_an_import_job_twice_does_nothing_more(world, login,
                                                      django_capture_on_commit_callbacks):
    from certification.tasks import import_certification_results_task

    _rows, files = generated_files(world, divisions=("3A",))
    upload = io.BytesIO(next(iter(files.values())))
    upload.name = next(iter(files))
    with django_capture_on_commit_callbacks(execute=True):
        login(world.rupn).post(reverse("certification:results_import"), {"files": [upload]})
    job = Job.objects.get()

    import_certification_results_task(job.pk)  # a retried task

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.counts["added"] == 6
    assert CertificationResult.objects.count() == 6


def test_an_unfinished_session_counts_as_started(world):
    pupil = pupils_of(world.establishment, "3A")[0]
    started = cert_row(as_candidate(pupil, "3A"), number="100001", status="started",
                       competences=None)

    import_files(world.establishment, files_of({"3A": [started]}))

    figures = AnalysisSummary.objects.get(division="").figures
    assert figures["candidates"] == 1
    assert figures["statuses"]["started"] == 1
    assert figures["mean_pix"] is None


def test_the_certification_import_shows_its_file_name_pattern(client, world):
    client.force_login(world.rupn)

    html = client.get(reverse("certification:results_import")).content.decode()

    assert "AAAAMMJJ_resultats_&lt;classe&gt;.csv" in html
