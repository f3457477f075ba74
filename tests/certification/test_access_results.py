"""Who sees what (domain.md §3), for every results, analysis and bilans URL: the RUPN imports
and sees everything, the direction sees the analysis and downloads bilans, a teacher the results
of their classes, a pupil their own result on their home; another establishment's ids are 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from certification.models import CertificationResult
from establishments.models import Pupil
from jobs.models import Job
from jobs.services import job_create
from tests.certification.results_world import (
    YEAR,
    as_candidate,
    candidates_of,
    cert_row,
    files_of,
    generated_rows,
    import_files,
)

Match = CertificationResult.Match
ROLES = ("rupn", "direction", "teacher", "pupil", "outsider")


@pytest.fixture
def results(world):
    """Results of 3A and 5A (the teacher teaches 5A; the world's pupil is in 5A, validated),
    one of them waiting in the queue; and results of the outsider's establishment."""
    others_5a = [c for c in candidates_of(world.establishment, "5A")
                 if c.birthdate != world.pupil.birthdate]
    mine = cert_row(as_candidate(world.pupil, "5A"), number="900001", pix=379,
                    competences=[3, 3, 3, 2, 1, 2, 3, 2, 3, None, 3, 3, 2, 4, 3, 0])
    # born the same day as the world's pupil, with their first name: suggested, not matched
    stranger = cert_row(as_candidate(world.pupil, "5A", last_name="ZZINCONNU"),
                        number="900002", pix=0, status="rejected", competences=0)
    rows = {
        "5A": [mine, stranger, *generated_rows(others_5a, seed=3)],
        "3A": generated_rows(candidates_of(world.establishment, "3A"), seed=4,
                             session="7002"),
    }
    import_files(world.establishment, files_of(rows))
    outsider_rows = {"5A": generated_rows(candidates_of(world.outsider_establishment, "5A"),
                                          seed=5)}
    import_files(world.outsider_establishment, files_of(outsider_rows))
    pending = CertificationResult.objects.get(certification_number="900002")
    assert pending.match == Match.PENDING
    outsider_result = CertificationResult.objects.filter(
        establishment=world.outsider_establishment).first()
    job = job_create(establishment=world.establishment, kind=Job.Kind.CERTIFICATION_IMPORT,
                     by=world.rupn, filename="x.csv")
    outsider_job = job_create(establishment=world.outsider_establishment,
                              kind=Job.Kind.CERTIFICATION_IMPORT, by=world.outsider,
                              filename="y.csv")
    pupil_job = job_create(establishment=world.establishment, kind=Job.Kind.PUPIL_IMPORT,
                           by=world.rupn, filename="siecle.xml")
    return {"pending": pending, "outsider_result": outsider_result, "job": job,
            "outsider_job": outsider_job, "pupil_job": pupil_job}


def urls(results):
    return {
        "list": reverse("certification:results_list"),
        "import": reverse("certification:results_import"),
        "job": reverse("certification:results_import_job", args=[results["job"].pk]),
        "queue": reverse("certification:results_queue"),
        "match": reverse("certification:result_match", args=[results["pending"].pk]),
        "analysis": reverse("certification:analysis"),
        "bilans": reverse("reports:bilans"),
        "downloads": reverse("reports:downloads"),
        "xlsx": reverse("reports:bilan_xlsx", args=[YEAR]),
        "pdf": reverse("reports:bilan_pdf", args=[YEAR]),
        "csv": reverse("reports:analysis_csv", args=[YEAR]),
    }


# status by role, for the pages of the world's establishment
EXPECTED = {
    #            rupn direction teacher pupil outsider
    "list":      (200, 200, 200, 403, 200),  # noqa: E241
    "import":    (200, 403, 403, 403, 200),  # noqa: E241
    "job":       (200, 403, 403, 403, 404),  # noqa: E241
    "queue":     (200, 403, 403, 403, 200),  # noqa: E241
    "match":     (200, 403, 403, 403, 404),  # noqa: E241
    "analysis":  (200, 200, 403, 403, 200),  # noqa: E241
    "bilans":    (200, 200, 403, 403, 200),  # noqa: E241
    "downloads": (301, 301, 403, 403, 301),  # noqa: E241  (to the audit log's downloads)
    "xlsx":      (200, 200, 403, 403, 200),  # noqa: E241  (the outsider: their own bilan)
    "pdf":       (200, 200, 403, 403, 200),  # noqa: E241
    "csv":       (200, 200, 403, 403, 200),  # noqa: E241
}


@pytest.mark.parametrize("page", list(EXPECTED))
def test_every_page_answers_each_role(world, results, client, page):
    answers = []
    for role in ROLES:
        client.force_login(world.member(role))
        answers.append(client.get(urls(results)[page]).status_code)

    assert tuple(answers) == EXPECTED[page]


@pytest.mark.parametrize("page", list(EXPECTED))
def test_anonymous_visitors_are_sent_to_log_in(results, client, page):
    response = client.get(urls(results)[page])
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_another_establishments_ids_are_404(world, results, login):
    client = login(world.rupn)
    other = results["outsider_result"]

    assert client.get(reverse("certification:result_match", args=[other.pk])).status_code == 404
    assert client.post(reverse("certification:result_decide", args=[other.pk]),
                       {"action": "reject"}).status_code == 404
    assert client.get(reverse("certification:results_import_job",
                              args=[results["outsider_job"].pk])).status_code == 404
    # a job of another kind is not an import of results
    assert client.get(reverse("certification:results_import_job",
                              args=[results["pupil_job"].pk])).status_code == 404
    other.refresh_from_db()
    assert other.match != Match.NOT_OURS
    # a year only the world's establishment certified: no bilan of it elsewhere
    earlier = cert_row(as_candidate(world.pupil, "5A"), number="900099", pix=100,
                       competences=1, year=YEAR - 1)
    import_files(world.establishment, files_of({"5A": [earlier]}, year=YEAR - 1))
    for name in ("reports:bilan_xlsx", "reports:bilan_pdf", "reports:analysis_csv"):
        assert login(world.rupn).get(reverse(name, args=[YEAR - 1])).status_code == 200
        assert login(world.outsider).get(reverse(name, args=[YEAR - 1])).status_code == 404
    csv = login(world.outsider).get(reverse("reports:analysis_csv", args=[YEAR])).content
    assert world.pupil.last_name.encode() not in csv


def test_only_the_rupn_decides_and_never_with_another_establishments_pupil(world, results,
                                                                          login):
    pending = results["pending"]
    url = reverse("certification:result_decide", args=[pending.pk])
    for role in ("direction", "teacher", "pupil"):
        assert login(world.member(role)).post(url, {"action": "reject"}).status_code == 403
    assert login(world.rupn).get(url).status_code == 405

    response = login(world.rupn).post(url, {"action": "confirm",
                                            "pupil": world.outsider_pupil.pk})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.match, pending.pupil) == (Match.PENDING, None)

    login(world.rupn).post(url, {"action": "confirm", "pupil": world.pupil.pk})
    pending.refresh_from_db()
    assert (pending.match, pending.pupil) == (Match.CONFIRMED, world.pupil)


def test_a_teacher_sees_the_results_of_their_classes_only(world, results, login):
    client = login(world.teacher)

    page = client.get(reverse("certification:results_list"))

    shown = {row["result"].division for row in page.context["rows"]}
    assert shown == {"5A"}
    names = page.content.decode()
    assert "ZZINCONNU" in names  # the file of their class, matched or not
    third = CertificationResult.objects.filter(division="3A").first()
    assert third.last_name not in names
    assert client.get(reverse("certification:results_list") + "?classe=3A").context[
        "rows"] == page.context["rows"]
    assert "Importer des résultats" not in names


def test_a_teacher_sees_a_result_filed_without_class_through_its_pupil(world, results, login):
    result = CertificationResult.objects.get(certification_number="900001")
    result.division = ""
    result.save(update_fields=["division"])

    page = login(world.teacher).get(reverse("certification:results_list"))

    assert result.pk in {row["result"].pk for row in page.context["rows"]}
    other = login(world.other_teacher).get(reverse("certification:results_list"))
    assert other.context["rows"] == []


def test_a_pupil_sees_their_own_result_on_their_home(world, results, login):
    page = login(world.pupil_user).get(reverse("home")).content.decode()

    assert "Ton résultat à la certification Pix" in page
    assert "Bravo, ta certification est validée ! Tu as obtenu 379 pix." in page
    assert "« Indépendant 1 »" in page  # 379 pix
    assert "pas évaluée" in page  # 3.3 was "-"
    assert "pas encore certifiée" in page  # 5.2 was 0
    assert "900002" not in page


def test_a_pupil_without_result_sees_no_certification_section(world, login):
    page = login(world.pupil_user).get(reverse("home")).content.decode()
    assert "Ton résultat à la certification Pix" not in page


def test_the_direction_home_links_to_the_analysis(world, results, login):
    page = login(world.direction).get(reverse("home")).content.decode()
    assert reverse("certification:analysis") in page
    assert reverse("reports:bilans") in page


def test_the_outsider_sees_only_their_establishment(world, results, login):
    client = login(world.outsider)

    listed = client.get(reverse("certification:results_list")).context["rows"]
    queue = client.get(reverse("certification:results_queue")).context["results"]
    analysis = client.get(reverse("certification:analysis")).context["row"]

    assert {row["result"].establishment_id for row in listed} == {
        world.outsider_establishment.pk}
    assert list(queue) == []
    assert analysis.candidates == CertificationResult.objects.filter(
        establishment=world.outsider_establishment).count()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_pages_read_a_fixed_number_of_queries(world, results, login,
                                             django_assert_max_num_queries):
    client = login(world.rupn)
    for name in ("certification:results_list", "certification:analysis",
                 "certification:results_queue", "reports:bilans"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(20):
        client.get(reverse("certification:analysis") + "?classe=5A")


def test_the_analysis_page_shows_the_figures_and_charts(world, results, login):
    page = login(world.direction).get(reverse("certification:analysis"))
    html = page.content.decode()
    row = page.context["row"]

    assert row.candidates == CertificationResult.objects.filter(
        establishment=world.establishment).count()
    for text in ("Statut des certifications", "Niveau global des certifications validées",
                 "Niveau moyen certifié par compétence", "Par classe", "plotly"):
        assert text in html
    assert "cdn.plot.ly" not in html
    by_class = login(world.direction).get(reverse("certification:analysis") + "?classe=3A")
    assert by_class.context["row"].division == "3A"
    assert by_class.context["classes"] == []


def test_the_queue_suggests_pupils_and_the_match_page_searches(world, results, login):
    client = login(world.rupn)

    queue = client.get(reverse("certification:results_queue"))
    pending = queue.context["results"][0]
    search = client.get(reverse("certification:result_match", args=[pending.pk]),
                        {"q": world.pupil.last_name})

    assert pending.certification_number == "900002"
    # born the same day as the world's pupil, with their first name: suggested
    assert [c.pupil for c in pending.candidate_pupils] == [world.pupil]
    assert world.pupil in search.context["pupils"]
    assert world.outsider_pupil not in search.context["pupils"]
    assert Pupil.objects.get(pk=world.pupil.pk) == world.pupil
