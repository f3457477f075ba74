import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from campaigns.services import campaign_create
from establishments.models import Establishment, SchoolYear

_YEAR_RE = re.compile(r"(\d{4})-(\d{4})")
_KINDS = {"assessment": Campaign.Kind.ASSESSMENT,
          "profiles_collection": Campaign.Kind.PROFILES_COLLECTION}


def school_year_of(text: str) -> SchoolYear:
    """`2020-2021` → that school year (created when the establishment never had it)."""
    match = _YEAR_RE.fullmatch(text.strip())
    if match is None or int(match.group(2)) != int(match.group(1)) + 1:
        raise CommandError(f"Année scolaire « {text} » : attendu la forme 2020-2021.")
    year, _created = SchoolYear.objects.get_or_create(start_year=int(match.group(1)))
    return year


class Command(BaseCommand):
    help = (
        "Enregistre une campagne Pix Orga d’un établissement (code, nom, type, année "
        "scolaire), pour y importer ensuite un export qui n’a pas de colonne « Code » "
        "(exports de 2020-2021) avec import_campaign_results --code."
    )

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument("--code", required=True, help="code Pix : 6 lettres et 3 chiffres")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=sorted(_KINDS))
        parser.add_argument("--year", required=True, help="année scolaire, par ex. 2020-2021")

    def handle(self, *args, uai, code, name, kind, year, **options):
        establishment = Establishment.objects.filter(uai=uai.strip().upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement n’a l’UAI {uai}.")
        try:
            campaign = campaign_create(
                establishment=establishment, by=None, code=code, name=name,
                kind=_KINDS[kind], school_year=school_year_of(year),
            )
        except ValidationError as error:
            details = " ".join(m for messages in error.message_dict.values() for m in messages)
            raise CommandError(f"Campagne non créée : {details}") from error
        self.stdout.write(self.style.SUCCESS(
            f"Campagne {campaign.code} « {campaign.name} » ({campaign.get_kind_display()}, "
            f"{campaign.school_year}) créée pour {establishment.uai}."
        ))
