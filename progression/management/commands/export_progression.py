"""Writes the progression table of one school year of an establishment to a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_noop

from audit.services import audit_download
from establishments.management.years import (
    add_uai_argument,
    add_year_argument,
    establishment_from_option,
    school_year_from_option,
)
from progression.compliance import compliance_rebuild
from progression.exports import progression_csv
from progression.selectors import compliance_rows


class Command(BaseCommand):
    help = (
        "Écrit la progression des élèves d’une année scolaire (un élève par ligne) en CSV : "
        "INE;Nom;Prénom;Classe;Niveau;Objectif atteint (O/N);Compétences manquantes."
    )

    def add_arguments(self, parser):
        add_uai_argument(parser)
        add_year_argument(parser)
        parser.add_argument("--output", required=True, type=Path, metavar="FICHIER",
                            help="fichier CSV à écrire")
        parser.add_argument(
            "--stored", action="store_true",
            help="lire la conformité déjà calculée sans la recalculer d’abord",
        )

    def handle(self, *args, uai: str, year: str | None, output: Path | str, stored: bool,
               **options):
        output = Path(output)  # a str when called with call_command(output=…)
        establishment = establishment_from_option(uai)
        school_year = school_year_from_option(establishment, year)
        with translation.override("fr"):
            if not stored:
                # That year's table from that year's objectives and the levels known by then.
                compliance_rebuild(establishment, school_years=[school_year])
            rows = list(compliance_rows(establishment, school_year))
            data = progression_csv(rows)
        try:
            output.write_text(data, encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(f"Impossible d’écrire {output} : {error.strerror}") from error
        audit_download(
            establishment=establishment, by=None, document="progression_csv",
            summary=gettext_noop("Export CSV de la progression des élèves %(year)s (élèves : "
                                 "%(n)s), par la commande du serveur"),
            params={"year": school_year, "n": len(rows)}, filename=output.name,
            details={"source": "command", "school_year": school_year.start_year,
                     "rows": len(rows)},
        )
        self.stdout.write(self.style.SUCCESS(
            f"Progression {school_year} de {establishment.uai} : {len(rows)} élèves écrits "
            f"dans {output}."
        ))
