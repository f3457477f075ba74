"""Realistic, deterministic fake pupils: for the demo, and for tests all over the project.

Everything is drawn from the `random.Random` given, so a seed gives the same school every time.
Names look like a French school's (accents, hyphens, particles, apostrophes) because those are
exactly what matching Pix participants to pupils must survive. Within one `rng`, INEs are
unique and no two pupils share both names unless asked for (`with_homonyms`).
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from .grades import NOMINAL_AGE, TYPICAL_MEF, grade_from_division
from .names import person_key
from .pupils import PupilRow

FIRST_NAMES_F: tuple[str, ...] = (
    "Emma", "Jade", "Louise", "Alice", "Chloé", "Lina", "Léa", "Rose", "Anna", "Mila",
    "Inès", "Ambre", "Julia", "Mia", "Léna", "Manon", "Juliette", "Lou", "Zoé", "Camille",
    "Agathe", "Éloïse", "Héloïse", "Nina", "Sarah", "Romane", "Iris", "Jeanne", "Lucie",
    "Margaux", "Louna", "Clémence", "Capucine", "Maëlys", "Anaïs", "Océane", "Noémie",
    "Léonie", "Gabrielle", "Victoire", "Eva", "Adèle", "Charlotte", "Apolline", "Valentine",
    "Lola", "Clara", "Yasmine", "Aya", "Nour", "Maryam", "Fatoumata", "Aminata", "Awa",
    "Salomé", "Elsa", "Thaïs", "Maëlle", "Gaëlle", "Célia", "Cléa", "Mathilde", "Pauline",
    "Emmy", "Lilou", "Marie-Lou", "Anne-Sophie", "Marie-Ange", "Lou-Ann", "Sofia", "Kenza",
    "Assia", "Lyna", "Naïa", "Giulia", "Elena", "Maïwenn", "Solène", "Margot", "Constance",
    "Inaya", "Louane", "Maya", "Garance", "Bérénice", "Joséphine", "Ophélie", "Zélie",
)
FIRST_NAMES_M: tuple[str, ...] = (
    "Gabriel", "Léo", "Raphaël", "Louis", "Arthur", "Jules", "Adam", "Maël", "Lucas", "Hugo",
    "Noah", "Liam", "Gabin", "Sacha", "Paul", "Nathan", "Aaron", "Mohamed", "Ethan", "Tom",
    "Eden", "Léon", "Noé", "Tiago", "Théo", "Isaac", "Marius", "Victor", "Martin", "Naël",
    "Mathis", "Axel", "Timéo", "Enzo", "Antoine", "Baptiste", "Clément", "Valentin", "Maxime",
    "Alexandre", "Thomas", "Simon", "Samuel", "Yanis", "Ilyes", "Rayan", "Amir", "Ayoub",
    "Ibrahim", "Moussa", "Mamadou", "Oumar", "Youssef", "Kylian", "Évan", "Loïc", "Gaël",
    "Joël", "Anaël", "Lény", "Célestin", "Côme", "Aurélien", "Jérémy", "Benoît", "François",
    "Jean-Baptiste", "Pierre-Louis", "Paul-Henri", "Louis-Marie", "Mathéo", "Élie", "Eliott",
    "Nolan", "Malo", "Titouan", "Erwan", "Yann", "Corentin", "Bastien", "Quentin", "Noam",
    "Ismaël", "Mehdi", "Nicolas", "Dylan", "Killian", "Esteban",
)
LAST_NAMES: tuple[str, ...] = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
    "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
    "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard",
    "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux",
    "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud",
    "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey",
    "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean",
    "Dupuis", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Moulin", "Deschamps",
    "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Poirier",
    "Marty", "Aubry", "Guyot", "Carré", "Charpentier", "Ménard", "Maillard", "Baron",
    "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet", "Léger",
    "Bouvier", "Prévost", "Millet", "Le Roux", "Cousin", "Germain", "Breton", "Besson",
    "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Lebrun", "Weber",
    "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Étienne", "Grondin",
    "Tessier", "Chauvin", "Lemaître", "Da Silva", "Dos Santos", "De Oliveira", "Pereira",
    "Ferreira", "D'Almeida", "N'Diaye", "Diallo", "Traoré", "Coulibaly", "Camara", "Diop",
    "Konaté", "Benali", "El Amrani", "El Idrissi", "Haddad", "Ben Saïd", "Nguyen", "Tran",
    "Kowalski", "Nowak", "De Villiers", "Saint-Martin", "Lamy-Dubois", "O'Neill",
)
# Mostly around La Rochelle (the samples' collège is in Charente-Maritime), some further away.
BIRTH_PLACES: tuple[str, ...] = (
    "La Rochelle", "La Rochelle", "La Rochelle", "Rochefort", "Saintes", "Royan", "Niort",
    "Poitiers", "Angoulême", "Cognac", "Saint-Jean-d'Angély", "Châtellerault", "Lagord",
    "Aytré", "Périgny", "Bordeaux", "Nantes", "Paris", "Lyon", "Marseille", "Toulouse", "Lille",
    "Limoges", "Tours", "Le Mans", "Saint-Étienne", "Aix-en-Provence", "Besançon", "Orléans",
    "Créteil", "Saint-Denis", "Fort-de-France", "Pointe-à-Pitre", "Casablanca", "Dakar",
)
_INE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
# Typical collège: four classes a grade, 24 to 29 pupils each.
COLLEGE_DIVISIONS: tuple[tuple[str, str, int], ...] = tuple(
    (f"{digit}{letter}", f"{digit}e", 24 + (5 * index) % 6)
    for index, (digit, letter) in enumerate((d, x) for d in "6543" for x in "ABCD")
)


@dataclass
class _Drawn:
    """What one `rng` has handed out already, so that later calls do not repeat it."""

    ines: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


_DRAWN: weakref.WeakKeyDictionary[random.Random, _Drawn] = weakref.WeakKeyDictionary()


def _drawn(rng: random.Random) -> _Drawn:
    if rng not in _DRAWN:
        _DRAWN[rng] = _Drawn()
    return _DRAWN[rng]


def fake_ine(rng: random.Random) -> str:
    """An INE never drawn before from `rng`: 10 digits + 1 letter, now and then 9 + 2."""
    drawn = _drawn(rng)
    while True:
        if rng.random() < 0.9:
            ine = f"{rng.randrange(10**10):010d}{rng.choice(_INE_LETTERS)}"
        else:
            ine = f"{rng.randrange(10**9):09d}{rng.choice(_INE_LETTERS)}{rng.choice(_INE_LETTERS)}"
        if ine not in drawn.ines:
            drawn.ines.add(ine)
            return ine


def _birthdate(grade: str, school_year: int, rng: random.Random) -> date:
    year = school_year - NOMINAL_AGE[grade]
    draw = rng.random()
    if draw < 0.08:
        year -= 1  # repeated a year
    elif draw < 0.09:
        year += 1  # skipped one
    start = date(year, 1, 1)
    return start + timedelta(days=rng.randrange((date(year + 1, 1, 1) - start).days))


def _names(sex: str, rng: random.Random) -> tuple[str, str, str, str]:
    """(last, usage, first, other first names), the pair (last, first) new for `rng`."""
    pool = FIRST_NAMES_M if sex == "M" else FIRST_NAMES_F
    drawn = _drawn(rng)
    for _attempt in range(100):  # past that, the pool is exhausted: accept a homonym
        last, first = rng.choice(LAST_NAMES), rng.choice(pool)
        if person_key(last, first) not in drawn.names:
            break
    drawn.names.add(person_key(last, first))
    draw = rng.random()
    others = rng.sample([name for name in pool if name != first], 2)
    other = others[0] if draw < 0.35 else " ".join(others) if draw < 0.45 else ""
    usage = f"{last}-{rng.choice(LAST_NAMES)}" if rng.random() < 0.04 else ""
    # SIECLE writes family names in capitals, accents kept.
    return last.upper(), usage.upper(), first, other


def fake_pupils(
    division: str, grade: str, count: int, *, school_year: int, rng: random.Random,
    mef_code: str | None = None,
) -> list[PupilRow]:
    """`count` pupils of one class, born in the right year for `grade` (a few a year older)."""
    if grade not in NOMINAL_AGE:
        raise ValueError(f"unknown grade: {grade!r}")
    pupils = []
    for _index in range(count):
        sex = "M" if rng.random() < 0.5 else "F"
        last, usage, first, other = _names(sex, rng)
        pupils.append(PupilRow(
            line=0, ine=fake_ine(rng), last_name=last, usage_name=usage, first_name=first,
            other_first_names=other, sex=sex, birthdate=_birthdate(grade, school_year, rng),
            birth_place=rng.choice(BIRTH_PLACES),
            mef_code=mef_code if mef_code is not None else TYPICAL_MEF[grade],
            division=division,
        ))
    return pupils


def fake_establishment_pupils(
    divisions: Mapping[str, int] | Sequence[tuple[str, str, int]] = COLLEGE_DIVISIONS,
    *, school_year: int, rng: random.Random, homonyms: int = 0,
) -> list[PupilRow]:
    """A whole school: {division: count} (grade told by the class name) or (division, grade,
    count) triples; `homonyms` pairs of pupils in different classes then share their names."""
    if isinstance(divisions, Mapping):
        triples = []
        for division, count in divisions.items():
            grade = grade_from_division(division)
            if grade is None:
                raise ValueError(f"cannot tell the grade of class {division!r}: give triples")
            triples.append((division, grade, count))
    else:
        triples = list(divisions)
    pupils = [
        pupil for division, grade, count in triples
        for pupil in fake_pupils(division, grade, count, school_year=school_year, rng=rng)
    ]
    return with_homonyms(pupils, rng, count=homonyms) if homonyms else pupils


def with_homonyms(rows: Sequence[PupilRow], rng: random.Random, count: int = 1) -> list[PupilRow]:
    """A copy of `rows` where `count` pupils take the names (and sex) of a pupil of another
    class: the case where matching by names within the establishment must not guess."""
    result = list(rows)
    by_division: dict[str, list[int]] = {}
    for index, row in enumerate(result):
        by_division.setdefault(row.division, []).append(index)
    if len(by_division) < 2:
        raise ValueError("homonyms in two classes need at least two classes")
    used: set[int] = set()
    for _pair in range(count):
        first_division, second_division = rng.sample(sorted(by_division), 2)
        source = rng.choice(by_division[first_division])
        candidates = [i for i in by_division[second_division] if i not in used and i != source]
        if not candidates:
            raise ValueError("not enough pupils for that many homonyms")
        target = rng.choice(candidates)
        used.update((source, target))
        original = result[source]
        result[target] = replace(
            result[target], last_name=original.last_name, first_name=original.first_name,
            sex=original.sex,
        )
    return result
