from django.core.management.base import BaseCommand, CommandError

from demo.builder import DEMO_UAI
from establishments.models import Establishment
from remediation.demo import add_follow_up_results, add_remediation_demo
from remediation.models import Period


class Command(BaseCommand):
    help = ("Ajoute à l’établissement de démonstration la remédiation de 5e : résultats de "
            "rentrée, une période d’octobre avec séances et appels, le parcours qui suit, des "
            "ateliers et des étapes Pix+ Édu. Avec --apres PERIODE : importe un parcours "
            "passé après la dernière séance de cette période.")

    def add_arguments(self, parser):
        parser.add_argument("--apres", type=int, metavar="PERIODE",
                            help="identifiant d’une période dont mesurer l’effet")
        parser.add_argument("--code", default="SUIVIE503",
                            help="code de la campagne importée avec --apres")

    def handle(self, *args, **options):
        establishment = Establishment.objects.filter(uai=DEMO_UAI).first()
        if establishment is None:
            raise CommandError("Pas d’établissement de démonstration : lancez seed_demo.")
        if options["apres"]:
            period = Period.objects.filter(establishment=establishment,
                                           pk=options["apres"]).first()
            if period is None:
                raise CommandError("Période inconnue dans l’établissement de démonstration.")
            campaign = add_follow_up_results(establishment, period, code=options["code"])
            self.stdout.write(self.style.SUCCESS(f"Importé : {campaign}"))
            return
        made = add_remediation_demo(establishment)
        for key, value in made.items():
            self.stdout.write(f"{key}: {value}")
        self.stdout.write(self.style.SUCCESS("Remédiation de démonstration prête."))
