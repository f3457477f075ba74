from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_import
from establishments.imports import pupil_base_import
from establishments.models import Establishment
from jobs.models import Job


class Command(BaseCommand):
    help = "Importe la base élèves (SIECLE XML, zippé ou non, ou CSV) d’un établissement."

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument("file", type=Path)

    def handle(self, *args, uai, file: Path, **options):
        establishment = Establishment.objects.filter(uai=uai.strip().upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement n’a l’UAI {uai}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}") from error
        report = pupil_base_import(establishment=establishment, data=data, filename=file.name)
        audit_import(establishment=establishment, by=None, kind=Job.Kind.PUPIL_IMPORT,
                     filename=file.name, counts=report.counts, errors=len(report.errors),
                     details={"source": "command"})
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(report.errors)} erreur(s) : le fichier n’a pas été importé, "
                "rien n’a été enregistré."
            )
        c = report.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Année {report.school_year} : {c['rows']} élèves dans le fichier, "
                f"{c['created']} ajoutés, {c['updated']} mis à jour, {c['moved']} changements "
                f"de classe, {c['returned']} revenus, {c['left']} marqués comme partis, "
                f"{c['classes']} classes ; "
                f"ignorés : {c['skipped_left']} sortis, {c['skipped_no_ine']} sans INE, "
                f"{c['skipped_no_class']} sans classe."
            )
        )
