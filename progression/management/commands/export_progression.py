"""Writes the progression table of an establishment's current year to a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_noop

from audit.services import audit_download
from establishments.models import Establishment
from progression.compliance import compliance_rebuild
from progression.exports import progression_csv
from progression.selectors import compliance_rows


class Command(BaseCommand):
    help = ("Exporte la progression des élèves de l’année en cours (un élève par ligne) au "
            "format CSV : INE;Nom;Prénom;Classe;Niveau;Objectif atteint (O/N);"
            "Compétences manquantes.")

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True, help="UAI de l’établissement")
        parser.add_argument("--output", required=True, help="fichier CSV à écrire")
        parser.add_argument(
            "--stored", action="store_true",
            help="lire la conformité déjà calculée sans la recalculer d’abord",
        )

    def handle(self, *args, uai: str, output: str, stored: bool, **options):
        establishment = (
            Establishment.objects.select_related("current_year")
            .filter(uai=uai.strip().upper()).first()
        )
        if establishment is None:
            raise CommandError(f"Aucun établissement avec l’UAI {uai}.")
        year = establishment.current_year
        with translation.override("fr"):
            if not stored:
                compliance_rebuild(establishment, school_years=[year])
            rows = list(compliance_rows(establishment, year))
            Path(output).write_text(progression_csv(rows), encoding="utf-8", newline="")
        audit_download(
            establishment=establishment, by=None, document="progression_csv",
            summary=gettext_noop("Export CSV de la progression des élèves %(year)s (élèves : "
                                 "%(n)s), par la commande du serveur"),
            params={"year": year, "n": len(rows)}, filename=Path(output).name,
            details={"source": "command", "school_year": year.start_year, "rows": len(rows)},
        )
        self.stdout.write(f"{len(rows)} élèves écrits dans {output}")
