import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_noop

from audit.services import audit_download
from certification.analysis import certification_analysis_rebuild
from certification.models import AnalysisSummary, CertificationResult
from establishments.models import Establishment, SchoolYear
from reports.exports import write_analysis_csv

YEAR = re.compile(r"(\d{4})-(\d{4})")


class Command(BaseCommand):
    help = (
        "Écrit le tableau d’analyse de la certification d’une année (une ligne par classe, "
        "puis l’établissement) en CSV : les chiffres de la page d’analyse."
    )

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument("--year", required=True, help="année scolaire, par exemple 2025-2026")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, uai, year, output: Path, **options):
        establishment = Establishment.objects.filter(uai=uai.strip().upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement n’a l’UAI {uai}.")
        match = YEAR.fullmatch(year.strip())
        if match is None or int(match.group(2)) != int(match.group(1)) + 1:
            raise CommandError(f"Année scolaire « {year} » : écrivez-la comme 2025-2026.")
        school_year = SchoolYear.objects.filter(start_year=int(match.group(1))).first()
        results = CertificationResult.objects.filter(establishment=establishment,
                                                     school_year=school_year)
        if school_year is None or not results.exists():
            raise CommandError(f"Aucun résultat de certification n’a été importé pour "
                               f"{establishment.uai} en {year}.")
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
