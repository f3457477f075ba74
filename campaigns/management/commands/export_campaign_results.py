from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext_noop

from audit.services import audit_download
from campaigns.exports import write_collective_csv, write_collective_xlsx
from campaigns.models import Campaign, ResultSummary
from campaigns.summaries import campaign_summaries_rebuild
from establishments.management.years import (
    add_uai_argument,
    add_year_argument,
    establishment_from_option,
    school_year_from_option,
)
from establishments.models import SchoolYear


class Command(BaseCommand):
    help = (
        "Écrit les résultats collectifs d’une campagne d’une année scolaire (une ligne par "
        "classe, puis l’établissement) en CSV, ou en XLSX si le fichier se termine par .xlsx."
    )

    def add_arguments(self, parser):
        add_uai_argument(parser)
        parser.add_argument("--code", required=True, help="code de la campagne")
        add_year_argument(parser)
        parser.add_argument("--output", required=True, type=Path, metavar="FICHIER",
                            help="fichier à écrire (.csv, ou .xlsx)")

    def handle(self, *args, uai, code, year, output: Path, **options):
        establishment = establishment_from_option(uai)
        campaign_years = SchoolYear.objects.filter(
            Q(pk__in=Campaign.objects.filter(establishment=establishment).values("school_year"))
            | Q(pk=establishment.current_year_id)
        )
        school_year = school_year_from_option(establishment, year, years=campaign_years,
                                              lacking="aucune campagne")
        campaign = Campaign.objects.filter(
            establishment=establishment, code=code.strip().upper()
        ).select_related("school_year").first()
        if campaign is None:
            raise CommandError(f"Aucune campagne de {establishment.uai} n’a le code {code}.")
        if campaign.school_year_id != school_year.pk:
            # The year is checked, never taken from the code: every export command reads
            # --year the same way, and an old campaign is written only when asked by its year.
            raise CommandError(
                f"La campagne {campaign.code} est de l’année {campaign.school_year}, pas de "
                f"{school_year} : ajoutez --year {campaign.school_year}."
            )
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
