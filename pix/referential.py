"""The CRCN referential: 5 domains, 16 competences, named exactly as Pix writes them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    code: str  # "1" … "5"
    name: str


@dataclass(frozen=True)
class Competence:
    code: str  # "1.1" … "5.2"
    name: str
    domain: Domain


DOMAINS: tuple[Domain, ...] = (
    Domain("1", "Information et données"),
    Domain("2", "Communication et collaboration"),
    Domain("3", "Création de contenu"),
    Domain("4", "Protection et sécurité"),
    Domain("5", "Environnement numérique"),
)
_D = {d.code: d for d in DOMAINS}

# Apostrophes are the typographic U+2019 and 3.2 has no accent on "multimedia", as in Pix.
COMPETENCES: tuple[Competence, ...] = (
    Competence("1.1", "Mener une recherche et une veille d’information", _D["1"]),
    Competence("1.2", "Gérer des données", _D["1"]),
    Competence("1.3", "Traiter des données", _D["1"]),
    Competence("2.1", "Interagir", _D["2"]),
    Competence("2.2", "Partager et publier", _D["2"]),
    Competence("2.3", "Collaborer", _D["2"]),
    Competence("2.4", "S’insérer dans le monde numérique", _D["2"]),
    Competence("3.1", "Développer des documents textuels", _D["3"]),
    Competence("3.2", "Développer des documents multimedia", _D["3"]),
    Competence("3.3", "Adapter les documents à leur finalité", _D["3"]),
    Competence("3.4", "Programmer", _D["3"]),
    Competence("4.1", "Sécuriser l’environnement numérique", _D["4"]),
    Competence("4.2", "Protéger les données personnelles et la vie privée", _D["4"]),
    Competence("4.3", "Protéger la santé, le bien-être et l’environnement", _D["4"]),
    Competence("5.1", "Résoudre des problèmes techniques", _D["5"]),
    Competence("5.2", "Construire un environnement numérique", _D["5"]),
)
COMPETENCE_CODES: tuple[str, ...] = tuple(c.code for c in COMPETENCES)
COMPETENCE_BY_CODE: dict[str, Competence] = {c.code: c for c in COMPETENCES}
DOMAIN_BY_CODE: dict[str, Domain] = dict(_D)


def fold(text: str) -> str:
    """Lowercase, without accents, with plain apostrophes and single spaces.

    Used to compare labels that Pix has spelled in several ways over the years
    (`’` or `'`, `multimedia` or `multimédia`).
    """
    text = text.replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


_BY_FOLDED_NAME = {fold(c.name): c for c in COMPETENCES}
_DOMAIN_BY_FOLDED_NAME = {fold(d.name): d for d in DOMAINS}


def competence_by_name(name: str) -> Competence | None:
    """The competence whatever the spelling of its name, or None."""
    return _BY_FOLDED_NAME.get(fold(name))


def domain_by_name(name: str) -> Domain | None:
    return _DOMAIN_BY_FOLDED_NAME.get(fold(name))


def competences_of(domain: Domain) -> tuple[Competence, ...]:
    return tuple(c for c in COMPETENCES if c.domain == domain)
