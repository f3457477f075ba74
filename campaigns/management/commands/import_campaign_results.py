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
        "du fichier si besoin. Un export sans colonne « Code » (2020-2021) s’importe avec "
        "--code dans une campagne enregistrée (create_campaign)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument(
            "--code", help="code de la campagne attendue : le fichier doit en être l’export"
        )
        parser.add_argument(
            "--force", action="store_true",
            help="importer même si le fichier semble d’un autre établissement (organisation "
                 "différente, presque aucun participant reconnu)",
        )
        parser.add_argument("file", type=Path)

    def handle(self, *args, uai, code, file: Path, force: bool = False, **options):
        establishment = Establishment.objects.filter(uai=uai.strip().upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement n’a l’UAI {uai}.")
        campaign = None
        if code:
            campaign = Campaign.objects.filter(
                establishment=establishment, code=code.strip().upper()
            ).first()
            if campaign is None:
                raise CommandError(
                    f"Aucune campagne de {establishment.uai} n’a le code {code} : "
                    "enregistrez-la d’abord avec create_campaign."
                )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}") from error
        report = campaign_results_import(
            establishment=establishment, data=data, filename=file.name, campaign=campaign,
            confirmed=force,
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
            if report.needs_confirmation:
                raise CommandError(
                    "Import arrêté, rien n’a été enregistré : si le fichier est bien celui de "
                    f"{establishment.uai}, relancez avec --force."
                )
            if campaign is None and any(e.column == "Code" for e in report.errors):
                self.stderr.write("Un export sans colonne « Code » s’importe avec --code CODE.")
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
