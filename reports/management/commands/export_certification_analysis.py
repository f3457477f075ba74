from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_noop

from audit.services import audit_download
from certification.analysis import certification_analysis_rebuild
from certification.models import AnalysisSummary, CertificationResult
from establishments.management.years import (
    add_uai_argument,
    add_year_argument,
    establishment_from_option,
    school_year_from_option,
)
from establishments.models import SchoolYear
from reports.exports import write_analysis_csv


class Command(BaseCommand):
    help = (
        "Écrit le tableau d’analyse de la certification d’une année scolaire (une ligne par "
        "classe, puis l’établissement) en CSV : les chiffres de la page d’analyse."
    )

    def add_arguments(self, parser):
        add_uai_argument(parser)
        add_year_argument(parser)
        parser.add_argument("--output", required=True, type=Path, metavar="FICHIER",
                            help="fichier CSV à écrire")

    def handle(self, *args, uai, year, output: Path, **options):
        establishment = establishment_from_option(uai)
        imported = SchoolYear.objects.filter(pk__in=CertificationResult.objects.filter(
            establishment=establishment).values("school_year"))
        school_year = school_year_from_option(
            establishment, year, years=imported,
            lacking="aucun résultat de certification importé",
        )
        if not AnalysisSummary.objects.filter(establishment=establishment,
                                              school_year=school_year).exists():
            # never built yet (no worker ran)
            certification_analysis_rebuild(establishment=establishment, school_year=school_year)
        try:
            output.write_bytes(write_analysis_csv(establishment, school_year))
        except OSError as error:
            raise CommandError(f"Impossible d’écrire {output} : {error.strerror}") from error
        audit_download(
            establishment=establishment, by=None, document="analysis_csv",
            summary=gettext_noop("Tableau d’analyse de certification %(year)s (CSV), par la "
                                 "commande du serveur"),
            params={"year": school_year}, filename=output.name,
            details={"source": "command", "school_year": school_year.start_year},
        )
        self.stdout.write(self.style.SUCCESS(
            f"Analyse de la certification {school_year} de {establishment.uai} écrite dans "
            f"{output}."
        ))
