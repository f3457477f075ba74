from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from establishments.models import Establishment
from establishments.services import establishment_create


class Command(BaseCommand):
    help = "Crée un établissement (UAI, nom, type)."

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=Establishment.Kind.values)
        parser.add_argument("--city", default="")

    def handle(self, *args, uai, name, kind, city, **options):
        if Establishment.objects.filter(uai=uai.strip().upper()).exists():
            raise CommandError(f"L’établissement {uai} existe déjà.")
        try:
            establishment = establishment_create(uai=uai, name=name, kind=kind, city=city)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Établissement créé : {establishment}"))
