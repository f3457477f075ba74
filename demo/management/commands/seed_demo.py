from django.core.management.base import BaseCommand

from demo.builder import DEMO_NAME, build_demo, demo_exists, demo_logins


class Command(BaseCommand):
    help = "Crée l’établissement de démonstration (une seule fois) et affiche ses identifiants."

    def handle(self, *args, **options):
        if demo_exists():
            self.stdout.write(f"{DEMO_NAME} existe déjà.")
        else:
            self.stdout.write(f"Création de {DEMO_NAME}…")
            build_demo()
            self.stdout.write(self.style.SUCCESS(f"{DEMO_NAME} est prêt."))
        self.stdout.write("\nIdentifiants de démonstration (http://127.0.0.1:8000) :")
        for login in demo_logins():
            self.stdout.write(f"  {login.role:<12} {login.login:<28} {login.password}")
