"""Writes the progression table of an establishment's current year to a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

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
        self.stdout.write(f"{len(rows)} élèves écrits dans {output}")
