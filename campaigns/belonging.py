"""Whether a campaign export belongs to the establishment importing it.

A RUPN who imports years of files may pick another school's by mistake (a colleague's, a
previous post's). Two signs, checked before anything is written, each confirmable by a person
(the browser's « Importer quand même », the command's `--force`):

- the organisation the file names (`Nom de l'organisation`) is not the establishment's;
- almost none of its participants match a pupil, although the establishment has pupils that
  year (without pupils, matching tells nothing yet: they may be imported later).
"""

from __future__ import annotations

import re

from pix.files import RowError
from pix.i18n import _
from pix.referential import fold

# Below this share of participants matched (or with candidates), with at least
# MIN_PARTICIPANTS of them, the file is likely another establishment's.
MIN_MATCHED_SHARE = 0.2
MIN_PARTICIPANTS = 5

# Abbreviations seen in organisation names (Pix's directory, SIECLE, people's own spelling).
_WORDS = {
    "clg": "college", "col": "college", "lyc": "lycee", "lgt": "lycee",
    "lpo": "lycee", "lp": "lycee professionnel", "st": "saint", "ste": "sainte",
}
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def organisation_key(name: str) -> str:
    """A name without case, accents, spaces, punctuation, with abbreviations spelled out."""
    words = _NOT_ALNUM.sub(" ", fold(name)).split()
    return "".join(_WORDS.get(word, word) for word in words)


def same_organisation(file_name: str, establishment_name: str, uai: str) -> bool:
    """The file's organisation is the establishment, as far as names can say.

    The rule: folded (case, accents, spaces, punctuation, common abbreviations) one name
    contains the other — Pix may add the town (« Collège Jean Moulin - Rochefort »), SIECLE
    writes capitals (« COLLEGE JEAN MOULIN ») — or the file's name holds the UAI. A file that
    names no organisation is not held against the establishment.
    """
    found, ours = organisation_key(file_name), organisation_key(establishment_name)
    if not found or not ours:
        return True
    return ours in found or found in ours or uai.strip().lower() in found


def organisation_error(file_name: str, establishment_name: str) -> RowError:
    return RowError(None, _(
        "Ce fichier est l’export d’une campagne de l’organisation « %(organisation)s », pas de "
        "« %(establishment)s » : il vient peut-être d’un autre établissement. Rien n’a été "
        "enregistré. Si c’est bien votre établissement (nom différent dans Pix Orga), "
        "confirmez l’import."),
        column="Nom de l'organisation",
        params={"organisation": file_name, "establishment": establishment_name})


def too_few_matched(*, matched: int, participants: int, has_pupils: bool) -> bool:
    return (has_pupils and participants >= MIN_PARTICIPANTS
            and matched < MIN_MATCHED_SHARE * participants)


def matched_error(*, matched: int, participants: int, organisation: str) -> RowError:
    return RowError(None, _(
        "Seuls %(matched)s participants sur %(participants)s correspondent à un élève de "
        "l’établissement : ce fichier (organisation « %(organisation)s ») vient peut-être d’un "
        "autre établissement ou d’une autre année. Rien n’a été enregistré. Si c’est bien le "
        "vôtre, confirmez l’import."),
        params={"matched": matched, "participants": participants,
                "organisation": organisation or "—"})
