from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_import
from certification.analysis import certification_analysis_rebuild
from certification.imports import certification_results_import, describe
from establishments.models import Establishment, SchoolYear
from jobs.models import Job


class Command(BaseCommand):
    help = (
        "Importe les résultats de certification Pix par classe (fichiers "
        "AAAAMMJJ_resultats_<classe>.csv, ou une archive ZIP de ces fichiers) dans un "
        "établissement. Avec la moindre erreur, rien n’est enregistré."
    )

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
        parser.add_argument(
            "--force", action="store_true",
            help="Importe même un fichier dont presque aucun candidat n’est un élève de "
                 "l’établissement (fichier d’un autre établissement ?).")

    def handle(self, *args, uai, files: list[Path], force: bool = False, **options):
        establishment = Establishment.objects.filter(uai=uai.strip().upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement n’a l’UAI {uai}.")
        uploads, unreadable = [], []
        for file in files:
            try:
                uploads.append((file.name, file.read_bytes()))
            except OSError as error:
                unreadable.append(f"Impossible de lire {file} : {error.strerror}")
        if unreadable:
            for message in unreadable:
                self.stderr.write(message)
            raise CommandError(f"{len(unreadable)} fichier(s) illisible(s) : rien n’a été "
                               "enregistré.")
        report = certification_results_import(establishment=establishment, files=uploads,
                                              force=force)
        audit_import(establishment=establishment, by=None, kind=Job.Kind.CERTIFICATION_IMPORT,
                     filename=", ".join(name for name, _data in uploads)[:255],
                     counts=report.counts, errors=len(report.errors),
                     details={"source": "command", "force": force,
                              "files": [name for name, _d in uploads]})
        for warning in report.warnings:
            self.stderr.write(f"Attention : {describe(warning)}")
        if not report.ok:
            for error in report.errors:
                self.stderr.write(describe(error))
            hint = (" Si ces candidats sont bien des élèves de l’établissement, relancez "
                    "avec --force.") if report.needs_confirmation else ""
            raise CommandError(
                f"{len(report.errors)} erreur(s) : les fichiers n’ont pas été importés, "
                f"rien n’a été enregistré.{hint}"
            )
        # In-process, so that the analysis is there when the command returns, worker or not.
        for start_year in report.school_years:
            certification_analysis_rebuild(
                establishment=establishment,
                school_year=SchoolYear.objects.get(start_year=start_year),
            )
        c = report.counts
        years = ", ".join(f"{y}-{y + 1}" for y in report.school_years)
        self.stdout.write(self.style.SUCCESS(
            f"{c['files']} fichier(s), {c['certifications']} certifications ({years}) : "
            f"{c['added']} ajoutées, {c['changed']} mises à jour, "
            f"{c['kept']} inchangées ; {c['matched']} reconnues, "
            f"{c['pending']} à vérifier, {c['not_ours']} hors établissement."
        ))
