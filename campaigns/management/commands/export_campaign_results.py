from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_noop

from audit.services import audit_download
from campaigns.exports import write_collective_csv, write_collective_xlsx
from campaigns.models import Campaign, ResultSummary
from campaigns.summaries import campaign_summaries_rebuild
from establishments.models import Establishment


class Command(BaseCommand):
    help = (
        "Écrit les résultats collectifs d’une campagne (une ligne par classe, puis "
        "l’établissement) en CSV, ou en XLSX si le fichier se termine par .xlsx."
    )

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument("--code", required=True)
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, uai, code, output: Path, **options):
        establishment = Establishment.objects.filter(uai=uai.strip().upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement n’a l’UAI {uai}.")
        campaign = Campaign.objects.filter(
            establishment=establishment, code=code.strip().upper()
        ).first()
        if campaign is None:
            raise CommandError(f"Aucune campagne de {establishment.uai} n’a le code {code}.")
        if not ResultSummary.objects.filter(campaign=campaign).exists():
            campaign_summaries_rebuild(campaign)  # never built yet (no worker ran)
        if output.suffix.lower() == ".xlsx":
            data, kind = write_collective_xlsx(campaign), "xlsx"
            summary = gettext_noop("Export Excel des résultats de la campagne « %(name)s » "
                                   "(%(code)s), par la commande du serveur")
        else:
            data, kind = write_collective_csv(campaign), "csv"
            summary = gettext_noop("Export CSV des résultats de la campagne « %(name)s » "
                                   "(%(code)s), par la commande du serveur")
        try:
            output.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Impossible d’écrire {output} : {error.strerror}") from error
        audit_download(establishment=establishment, by=None,
                       document=f"campaign_results_{kind}", summary=summary,
                       params={"name": campaign.name, "code": campaign.code},
                       filename=output.name, details={"source": "command",
                                                      "campaign_id": campaign.pk})
        self.stdout.write(self.style.SUCCESS(f"Résultats de {campaign.code} écrits dans {output}."))
