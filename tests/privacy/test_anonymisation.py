"""Pupils gone for more than PUPIL_RETENTION_YEARS lose their identity; every figure the
establishment reads year on year stays the same, as stored and when rebuilt."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.exports import write_collective_csv
from campaigns.models import Campaign, MatchDecision, Participant
from campaigns.summaries import campaign_summaries_rebuild
from certification.analysis import certification_analysis_rebuild
from certification.models import Candidate, CertificationPlan, CertificationResult
from establishments.models import Enrolment, Membership, Pupil
from privacy.selectors import pupils_gone_before, retention_cutoff
from privacy.services import departed_pupils_anonymise
from privacy.tasks import anonymise_departed_pupils_task
from progression.compliance import compliance_rebuild
from progression.models import ComplianceSummary, PupilCompliance
from remediation.models import Attendance, GroupMember
from remediation.selectors import period_effect
from reports.exports import write_analysis_csv


def figures(establishment, departure) -> dict:
    """What the pages and files show of the year: campaign summaries (the collective CSV of
    each campaign), the certification analysis (its CSV), compliance by class and grade, and
    the remediation effect."""
    campaigns = Campaign.objects.filter(establishment=establishment).order_by("code")
    compliance = list(
        ComplianceSummary.objects.filter(establishment=establishment)
        .order_by("school_year_id", "grade", "school_class_id")
        .values("school_year_id", "grade", "school_class_id", "objective_id", "pupils",
                "measured", "met", "mean_levels", "known", "missing")
    )
    effect = period_effect(departure.period)
    return {
        "campaigns": {c.code: write_collective_csv(c) for c in campaigns},
        "analysis": write_analysis_csv(establishment, departure.year),
        "compliance": compliance,
        "effect": (effect.overall, effect.attendees, effect.grade_pupils,
                   [(r.group.pk, r.effect, r.sessions, r.members) for r in effect.rows]),
    }


def rebuild_everything(establishment, departure) -> None:
    for campaign in Campaign.objects.filter(establishment=establishment):
        campaign_summaries_rebuild(campaign)
    certification_analysis_rebuild(establishment=establishment, school_year=departure.year)
    compliance_rebuild(establishment, school_years=[departure.year])


def identities(pupils) -> list[str]:
    return [s for p in pupils for s in (p.last_name, p.first_name, p.ine)]


def test_gone_pupils_lose_their_identity_and_the_figures_do_not_change(world, departure):
    # given a year of results, two pupils gone three years ago, the figures read before
    establishment = world.establishment
    gone_ids = [p.pk for p in departure.gone]
    names = identities(departure.gone)
    accounts = [p.user_id for p in departure.gone if p.user_id]
    assert accounts, "pupil 0 of 5e has an account"
    before = figures(establishment, departure)
    assert before["analysis"].count(b"\n") > 2 and before["compliance"]
    assert any(r.effect is not None for r in period_effect(departure.period).rows)
    counts = {
        "participants": Participant.objects.filter(pupil_id__in=gone_ids).count(),
        "results": CertificationResult.objects.filter(pupil_id__in=gone_ids).count(),
        "compliance": PupilCompliance.objects.filter(pupil_id__in=gone_ids).count(),
        "attendance": Attendance.objects.filter(pupil_id__in=gone_ids).count(),
        "groups": GroupMember.objects.filter(pupil_id__in=gone_ids).count(),
    }
    assert all(counts.values()), counts
    earlier = [audit_record(establishment=establishment, by=world.rupn,
                            action=AuditEvent.Action.PASSWORD_RESET,
                            summary=f"Mot de passe réinitialisé : {p}",
                            details={"pupil": f"{p.first_name} {p.last_name}"})
               for p in departure.gone]

    # when the task runs that day
    done = departed_pupils_anonymise(today=departure.today)

    # then their identity is gone, from our rows and from Pix's rows matched to them
    assert done[establishment.pk].pupils == 2
    pupils = list(Pupil.objects.filter(pk__in=gone_ids))
    for pupil in pupils:
        assert pupil.anonymised_at is not None
        assert pupil.last_name == "ANONYME" and pupil.usage_name == ""
        assert pupil.first_name == f"#{pupil.pk}" and pupil.ine == f"A{pupil.pk:010d}"
        assert (pupil.birthdate, pupil.birth_place, pupil.sex, pupil.user) == (None, "", "", None)
    for participant in Participant.objects.filter(pupil_id__in=gone_ids):
        assert (participant.last_name, participant.external_id) == ("ANONYME", "")
    for result in CertificationResult.objects.filter(pupil_id__in=gone_ids):
        assert (result.last_name, result.first_name, result.birthdate) == (
            "ANONYME", f"#{result.pupil_id}", None)
    remaining = " ".join(
        [*Participant.objects.values_list("last_name", flat=True),
         *Participant.objects.values_list("first_name", flat=True),
         *CertificationResult.objects.values_list("last_name", flat=True),
         *CertificationResult.objects.values_list("first_name", flat=True),
         *Pupil.objects.values_list("ine", flat=True)])
    pupil_names = [n for n in names if len(n) > 3]
    assert not [n for n in pupil_names if n in remaining.split()]
    assert not get_user_model().objects.filter(pk__in=accounts).exists()
    assert not Membership.objects.filter(user_id__in=accounts).exists()
    assert not MatchDecision.objects.filter(pupil_id__in=gone_ids).exists()
    # and the rows the figures are made of are all there
    assert counts == {
        "participants": Participant.objects.filter(pupil_id__in=gone_ids).count(),
        "results": CertificationResult.objects.filter(pupil_id__in=gone_ids).count(),
        "compliance": PupilCompliance.objects.filter(pupil_id__in=gone_ids).count(),
        "attendance": Attendance.objects.filter(pupil_id__in=gone_ids).count(),
        "groups": GroupMember.objects.filter(pupil_id__in=gone_ids).count(),
    }
    # and every figure is the same, as stored and rebuilt from the rows
    assert figures(establishment, departure) == before
    rebuild_everything(establishment, departure)
    assert figures(establishment, departure) == before

    # and the log says how many, naming nobody
    event = AuditEvent.objects.get(establishment=establishment,
                                   action=AuditEvent.Action.ANONYMISATION)
    assert event.actor is None
    assert event.details == {"pupils": 2, "accounts": 1,
                             "participations": counts["participants"],
                             "certification_results": counts["results"]}
    assert not [n for n in pupil_names if n in event.summary]
    # and the events written earlier lose the names they held
    for old in earlier:
        old.refresh_from_db()
        assert old.summary == "Mot de passe réinitialisé : [élève effacé]"
        assert old.details == {"pupil": "[élève effacé]"}


def test_running_it_twice_changes_nothing(world, departure):
    # given the anonymisation done once
    departed_pupils_anonymise(today=departure.today)
    rows = list(Pupil.objects.order_by("pk").values())
    participants = list(Participant.objects.order_by("pk").values())
    results = list(CertificationResult.objects.order_by("pk").values())
    events = AuditEvent.objects.count()

    # when it runs again (the next night)
    done = departed_pupils_anonymise(today=departure.today + timedelta(days=1))

    # then nothing is selected, written or logged
    assert done == {}
    assert list(Pupil.objects.order_by("pk").values()) == rows
    assert list(Participant.objects.order_by("pk").values()) == participants
    assert list(CertificationResult.objects.order_by("pk").values()) == results
    assert AuditEvent.objects.count() == events


def test_pupils_still_there_or_gone_recently_keep_their_identity(world, departure):
    # given "today" one year after they left: not more than PUPIL_RETENTION_YEARS (1)
    recently = date(departure.year.start_year + 2, 8, 31)

    # when the task runs
    done = departed_pupils_anonymise(today=recently)

    # then nobody of the establishment is anonymised
    assert world.establishment.pk not in done
    assert not Pupil.objects.filter(anonymised_at__isnull=False).exists()


def test_departure_is_the_latest_enrolment_left_on_or_the_end_of_its_year(world):
    # given a pupil marked left by an import, one not in next year's file, one present
    year = world.establishment.current_year
    pupils = list(Pupil.objects.filter(establishment=world.establishment).order_by("pk")[:3])
    marked, unlisted, present = pupils
    Enrolment.objects.filter(pupil=marked).update(left_on=date(year.start_year + 1, 2, 10))
    end_of_year = date(year.start_year + 1, 8, 31)

    def gone(cutoff):
        return set(pupils_gone_before(cutoff).filter(pk__in=[p.pk for p in pupils])
                   .values_list("pk", flat=True))

    # then: gone the day after leaving; the unlisted one the day after the year ends
    assert gone(date(year.start_year + 1, 2, 10)) == set()
    assert gone(date(year.start_year + 1, 2, 11)) == {marked.pk}
    assert gone(end_of_year) == {marked.pk}
    assert gone(end_of_year + timedelta(days=1)) == {marked.pk, unlisted.pk, present.pk}
    assert retention_cutoff(date(2028, 2, 29), 1) == date(2027, 2, 28)


def test_the_beat_task_reads_the_setting(world, settings):
    # given a pupil marked left three years ago, with a certification candidacy
    settings.PUPIL_RETENTION_YEARS = 2
    pupil = world.outsider_pupil
    Enrolment.objects.filter(pupil=pupil).update(
        left_on=timezone.localdate() - timedelta(days=3 * 366))
    plan = CertificationPlan.objects.create(establishment=pupil.establishment,
                                            school_year=pupil.establishment.current_year)
    Candidate.objects.create(plan=plan, pupil=pupil)

    # when celery beat runs the task (in-process in tests), twice
    first = anonymise_departed_pupils_task.delay().get()
    second = anonymise_departed_pupils_task.delay().get()

    # then that pupil only is anonymised, and their candidacy (a list of identities) is gone
    assert (first, second) == (1, 0)
    assert list(Pupil.objects.filter(anonymised_at__isnull=False)) == [pupil]
    assert not Candidate.objects.filter(pupil=pupil).exists()


def test_the_task_is_in_the_beat_schedule(settings):
    from pixorga.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["privacy-anonymise-departed-pupils"]
    assert entry["task"] == "privacy.tasks.anonymise_departed_pupils_task"
    assert entry["task"] in app.tasks
