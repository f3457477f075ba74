"""A certification file of another establishment, and candidates who match no pupil.

Candidates that match no pupil wait in the matching queue and are never counted in a class the
establishment does not have; the analysis and the bilans say how many, in words. A file whose
candidates are almost none of the establishment's pupils stops the import before it writes
anything; a RUPN may confirm (the job runs again with `confirmed`), the command takes
`--force`. Files come from the project's generator; figures are computed by hand here."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.models import AuditEvent
from certification.imports import certification_results_import, describe
from certification.models import AnalysisSummary, CertificationResult
from certification.results_selectors import matching_queue
from establishments.models import SchoolYear
from jobs.models import Job
from pix.certification_writer import write_certification_results
from pix.fake_results import session_results_filename
from pix.numbers import decimal
from reports.exports import write_analysis_csv, write_bilan_xlsx
from reports.pdf import write_bilan_pdf
from tests.certification.results_world import (
    YEAR,
    Candidate,
    candidates_of,
    cert_row,
    files_of,
    import_files,
)

THREE = ("3 candidats du fichier n’ont pas encore été reconnus : ils ne sont comptés dans "
         "aucune classe.")


def strangers(count, division="301"):
    """Candidates of another school: names no pupil of the test establishments has."""
    return [Candidate(f"INCONNU{chr(65 + i)}", f"Prénom{chr(65 + i)}", division,
                      date(2011, 3, 1 + i)) for i in range(count)]


def stranger_rows(count=6):
    """Validated 100, 150, 200, 250, 300 … then one rejected (the sixth)."""
    rows = [cert_row(c, number=f"90000{i}", pix=100 + 50 * i, competences=2)
            for i, c in enumerate(strangers(count - 1))]
    last = strangers(count)[-1]
    return rows + [cert_row(last, number="900099", status="rejected", pix=0, competences=0)]


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def summaries(establishment):
    return {s.division: s.figures for s in AnalysisSummary.objects.filter(
        establishment=establishment, school_year__start_year=YEAR)}


# --- another school's file stops the import ---------------------------------------------------


def test_a_file_of_another_school_stops_before_writing_and_says_how_many_matched(world):
    files = files_of({"301": stranger_rows(6)})

    report = certification_results_import(establishment=world.establishment,
                                          files=list(files.items()))

    assert not report.ok and report.needs_confirmation
    [error] = report.errors
    name = next(iter(files))
    assert describe(error) == (
        f"« {name} » : Candidats de ce fichier reconnus comme élèves de l’établissement : 0 "
        "sur 6. C’est peut-être le fichier d’un autre établissement. Rien n’a été enregistré. "
        "Vérifiez le fichier ; si ces candidats sont bien des élèves de l’établissement (liste "
        "d’élèves pas encore importée), confirmez l’import.")
    assert CertificationResult.objects.count() == 0


@pytest.mark.parametrize(("known", "unknown", "stops"), [
    (1, 4, False),  # 1 of 5 = 20 %: not under 20 %
    (1, 5, True),  # 1 of 6 ≈ 16.7 %
    (0, 4, False),  # 4 candidates: too few to judge
    (2, 8, False),  # 2 of 10 = 20 %
    (1, 9, True),  # 1 of 10 = 10 %
])
def test_the_threshold_is_one_in_five_with_five_candidates_or_more(world, known, unknown, stops):
    pupils = candidates_of(world.establishment, "3A")[:known]
    rows = [cert_row(c, number=f"80000{i}", pix=100, competences=1)
            for i, c in enumerate(pupils + strangers(unknown, "3A"))]

    report = certification_results_import(establishment=world.establishment,
                                          files=list(files_of({"3A": rows}).items()))

    assert report.needs_confirmation is stops
    assert CertificationResult.objects.count() == (0 if stops else known + unknown)


def test_each_file_is_judged_on_its_own(world):
    ours = [cert_row(c, number=f"70000{i}", pix=100, competences=1)
            for i, c in enumerate(candidates_of(world.establishment, "3A"))]
    files = {**files_of({"3A": ours}), **files_of({"301": stranger_rows(6)})}

    report = certification_results_import(establishment=world.establishment,
                                          files=list(files.items()))

    assert [e.params["file"] for e in report.errors] == [list(files)[1]]
    assert CertificationResult.objects.count() == 0


# --- confirmed: waiting, in no class, said in words everywhere ------------------------------


def test_forced_candidates_wait_in_the_queue_and_count_in_no_class(world, login):
    import_files(world.establishment, files_of({"301": stranger_rows(6)}), force=True)
    year = SchoolYear.objects.get(start_year=YEAR)

    figures = summaries(world.establishment)
    assert set(figures) == {""}  # no line for class 301, which the establishment lacks
    whole = figures[""]
    assert (whole["candidates"], whole["statuses"]["validated"], whole["unclassed"]) == (6, 5, 6)
    assert decimal(whole["mean_pix"]) == Decimal(100 + 150 + 200 + 250 + 300) / 5 == 200
    assert len(matching_queue(world.establishment)) == 6
    six = ("6 candidats du fichier n’ont pas encore été reconnus : ils ne sont comptés dans "
           "aucune classe.")
    csv_lines = write_analysis_csv(world.establishment, year).decode("utf-8-sig").splitlines()
    assert csv_lines[-2:] == ["", six]
    workbook = load_workbook(io.BytesIO(write_bilan_xlsx(world.establishment, year)))
    texts = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert texts.count(six) == 2  # the synthesis and the classes' sheet
    assert six in pdf_text(write_bilan_pdf(world.establishment, year))
    page = login(world.rupn).get(reverse("certification:analysis")).content.decode()
    assert six in page


def test_a_session_file_counts_unknown_candidates_in_no_class_with_figures_by_hand(world):
    # Given a session: 3 pupils of 3A (300, 200, rejected), 2 of 5A (100, 140), and 3
    # candidates the establishment does not know (500, 60, cancelled)
    a = candidates_of(world.establishment, "3A")
    b = candidates_of(world.establishment, "5A")
    unknown = strangers(3, "")
    rows = [
        cert_row(a[0], number="100001", pix=300, competences=3, newer=True),
        cert_row(a[1], number="100002", pix=200, competences=2, newer=True),
        cert_row(a[2], number="100003", status="rejected", pix=0, competences=0, newer=True),
        cert_row(b[0], number="100004", pix=100, competences=1, newer=True),
        cert_row(b[1], number="100005", pix=140, competences=1, newer=True),
        cert_row(unknown[0], number="100006", pix=500, competences=4, newer=True),
        cert_row(unknown[1], number="100007", pix=60, competences=1, newer=True),
        cert_row(unknown[2], number="100008", status="cancelled", competences=None,
                 newer=True),
    ]
    name = session_results_filename("7001", datetime(YEAR + 1, 5, 5, 9, 0))
    data = write_certification_results(rows, newer_layout=True)

    # When it is imported (5 of 8 recognised: 62.5 %, no confirmation needed)
    report = import_files(world.establishment, [(name, data)])

    # Then each known candidate counts in their pupil's class, the others in no class
    assert report.warnings == []
    figures = summaries(world.establishment)
    assert set(figures) == {"", "3A", "5A"}
    assert [figures[d]["candidates"] for d in ("3A", "5A", "")] == [3, 2, 8]
    assert [figures[d]["statuses"]["validated"] for d in ("3A", "5A", "")] == [2, 2, 6]
    assert [figures[d]["statuses"]["rejected"] for d in ("3A", "5A", "")] == [1, 0, 1]
    # 3A (300 + 200) / 2 = 250; 5A (100 + 140) / 2 = 120;
    # establishment (300 + 200 + 100 + 140 + 500 + 60) / 6 = 1300 / 6 = 216.666… → 216.67
    means = [decimal(figures[d]["mean_pix"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
             for d in ("3A", "5A", "")]
    assert means == [Decimal("250.00"), Decimal("120.00"), Decimal("216.67")]
    assert figures[""]["unclassed"] == 3
    year = SchoolYear.objects.get(start_year=YEAR)
    assert THREE in write_analysis_csv(world.establishment, year).decode("utf-8-sig")
    assert THREE in pdf_text(write_bilan_pdf(world.establishment, year))


def test_a_pending_candidate_of_a_class_the_establishment_has_counts_in_it(world):
    a = candidates_of(world.establishment, "3A")
    rows = [cert_row(c, number=f"11000{i}", pix=100, competences=1)
            for i, c in enumerate(a[:4] + strangers(1, "3A"))]

    import_files(world.establishment, files_of({"3A": rows}))

    figures = summaries(world.establishment)
    assert (figures["3A"]["candidates"], figures["3A"]["pending"]) == (5, 1)
    assert figures[""]["unclassed"] == 0


# --- the browser: the RUPN confirms ---------------------------------------------------------


def upload(files):
    uploads = []
    for name, data in files.items():
        handle = io.BytesIO(data)
        handle.name = name
        uploads.append(handle)
    return {"files": uploads}


def test_the_rupn_confirms_a_stopped_import_and_it_runs_again(
        world, login, django_capture_on_commit_callbacks):
    client = login(world.rupn)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:results_import"),
                               upload(files_of({"301": stranger_rows(6)})))
    job = Job.objects.get(kind=Job.Kind.CERTIFICATION_IMPORT)
    assert job.status == Job.Status.FAILED and job.counts == {"foreign_files": 1}
    page = client.get(response.url).content.decode()
    assert "0 sur 6" in page and "importer quand même" in page
    assert CertificationResult.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("certification:results_import_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert confirmed.url == response.url
    assert job.status == Job.Status.SUCCEEDED and job.params["confirmed"] is True
    assert (job.counts["certifications"], job.counts["pending"]) == (6, 6)
    assert CertificationResult.objects.filter(establishment=world.establishment).count() == 6
    assert AuditEvent.objects.filter(establishment=world.establishment,
                                     action=AuditEvent.Action.IMPORT,
                                     details__job=job.pk).exists()


def test_only_a_stopped_import_of_ones_own_establishment_may_be_confirmed(
        world, login, django_capture_on_commit_callbacks):
    client = login(world.rupn)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:results_import"),
                    upload(files_of({"301": stranger_rows(6)})))
    job = Job.objects.get(kind=Job.Kind.CERTIFICATION_IMPORT)
    url = reverse("certification:results_import_confirm", args=[job.pk])

    assert login(world.teacher).post(url).status_code == 403
    assert login(world.outsider).post(url).status_code == 404
    assert login(world.rupn).get(url).status_code == 405
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "confirmed" not in job.params


def test_an_import_stopped_for_another_reason_cannot_be_confirmed(
        world, login, django_capture_on_commit_callbacks):
    client = login(world.rupn)
    bad = files_of({"3A": stranger_rows(6)})
    bad = {name: data.replace("Validée".encode(), b"Valide") for name, data in bad.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:results_import"), upload(bad))
    job = Job.objects.get(kind=Job.Kind.CERTIFICATION_IMPORT)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:results_import_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "confirmed" not in job.params


# --- the command: --force -----------------------------------------------------------------------


def test_the_command_stops_on_another_schools_file_and_goes_on_with_force(world, tmp_path):
    paths = []
    for name, data in files_of({"301": stranger_rows(6)}).items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    args = ("import_certification_results", "--uai", world.establishment.uai, *paths)

    with pytest.raises(CommandError, match="relancez avec --force"):
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert CertificationResult.objects.count() == 0

    out = io.StringIO()
    call_command(*args, "--force", stdout=out, stderr=io.StringIO())

    assert "6 certifications" in out.getvalue() and "6 à vérifier" in out.getvalue()
    assert summaries(world.establishment)[""]["unclassed"] == 6
