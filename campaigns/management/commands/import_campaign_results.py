from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_import
from campaigns.imports import campaign_results_import
from campaigns.models import Campaign
from campaigns.summaries import campaign_summaries_rebuild
from establishments.models import Establishment
from jobs.models import Job


class Command(BaseCommand):
    help = (
        "Importe l’export CSV des résultats d’une campagne Pix Orga (collecte de profils, "
        "évaluation ou examen) dans un établissement ; la campagne est créée d’après le code "
        "du fichier si besoin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument(
            "--code", help="code de la campagne attendue : le fichier doit en être l’export"
        )
        parser.add_argument("file", type=Path)

    def handle(self, *args, uai, code, file: Path, **options):
        establishment = Establishment.objects.filter(uai=uai.strip().upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement n’a l’UAI {uai}.")
        campaign = None
        if code:
            campaign = Campaign.objects.filter(
                establishment=establishment, code=code.strip().upper()
            ).first()
            if campaign is None:
                raise CommandError(f"Aucune campagne de {establishment.uai} n’a le code {code}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}") from error
        report = campaign_results_import(
            establishment=establishment, data=data, filename=file.name, campaign=campaign
        )
        audit_import(
            establishment=establishment, by=None, kind=Job.Kind.CAMPAIGN_IMPORT,
            filename=file.name, counts=report.counts, errors=len(report.errors),
            details={"source": "command", "campaign_id": report.campaign.pk
                     if report.ok and report.campaign is not None else None},
        )
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(report.errors)} erreur(s) : le fichier n’a pas été importé, "
                "rien n’a été enregistré."
            )
        # In-process, so that the figures are there when the command returns, worker or not.
        campaign_summaries_rebuild(report.campaign)
        c = report.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Campagne {report.campaign.code} « {report.campaign.name} » "
                f"({report.campaign.get_kind_display()}, {report.campaign.school_year}) : "
                f"{c['rows']} lignes, {c['participants']} participants, {c['shared']} ayant "
                f"partagé, {c['matched']} reconnus, {c['unmatched']} à vérifier, "
                f"{c['not_ours']} hors établissement, {c['new_sendings']} nouveaux envois."
            )
        )
