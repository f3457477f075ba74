"""What a Pix certification results file holds, and the labels Pix gives its columns.

Shared by the reader (`pix.certification`) and the writer (`pix.certification_writer`).
Schools download one file per class, `YYYYMMDD_resultats_<class>.csv`. Two layouts exist:

- the older one (the samples): `… Identifiant Externe; Statut; Nombre de Pix; 1.1 … 5.2;
  Commentaire jury pour l’organisation; Session; Date de passage de la certification`;
- the newer one, written by Pix's current results serialiser
  (`api/src/certification/results/infrastructure/utils/csv/certification-results/`): `Type de
  certification` before `Statut`, then one column per complementary certification
  (`Certification CléA`…), `Niveau` (v3 global level) and `Score en Pix` instead of `Nombre de
  Pix`, and `Centre de certification` before the date. A rejected certification reads `Non
  obtenue` there, `Rejetée` in older files.

A complementary certification's cell reads `Validée`, `Non obtenue`, `Non passée`, `Annulée`
or `En erreur` (`ComplementaryStatus`), as Pix's `CertificationResultsCsvValues.
getComplementaryCertificationStatus` writes it; a candidate who took CléA has the type
`CléA Numérique by Pix` (Pix's session results tests, `get-session-certification-results-
csv_test.js`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from .files import RowError
from .referential import COMPETENCES, fold
from .rules import FRAMEWORK_MAX_LEVEL, PIX_PER_LEVEL

# --- Pix's labels (api/translations/fr.json, "certification-results-csv.headers") ----------

CERTIFICATION_NUMBER = "Numéro de certification"
FIRST_NAME = "Prénom"
LAST_NAME = "Nom"
BIRTHDATE = "Date de naissance"
BIRTH_PLACE = "Lieu de naissance"
EXTERNAL_ID = "Identifiant Externe"
CERTIFICATION_TYPE = "Type de certification"  # newer
STATUS = "Statut"
GLOBAL_LEVEL = "Niveau"  # newer: v3 global level, "-" when none
PIX = "Nombre de Pix"  # older
SCORE = "Score en Pix"  # newer, replaces "Nombre de Pix"
JURY_COMMENT = "Commentaire jury pour l’organisation"  # typographic apostrophe, as in Pix
SESSION = "Session"
CENTRE = "Centre de certification"  # newer
TAKEN_ON = "Date de passage de la certification"
# Not Pix's: the last column teachers' tools add when they merge the per-class files into one.
MERGED_CLASS = "Classe"
COMPLEMENTARY_PREFIX = "Certification "  # newer: "Certification CléA", "Certification Pix+ …"

DASH = "-"  # Pix's "no value": not tested, cancelled, in error
MAX_CERTIFICATION_PIX = FRAMEWORK_MAX_LEVEL * PIX_PER_LEVEL * len(COMPETENCES)  # 1024

OLDER_HEADERS: tuple[str, ...] = (
    CERTIFICATION_NUMBER, FIRST_NAME, LAST_NAME, BIRTHDATE, BIRTH_PLACE, EXTERNAL_ID, STATUS,
    PIX, *(c.code for c in COMPETENCES), JURY_COMMENT, SESSION, TAKEN_ON,
)


def newer_headers(complementary: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The newer layout's headers; `complementary` are labels like "CléA" (without prefix)."""
    return (
        CERTIFICATION_NUMBER, FIRST_NAME, LAST_NAME, BIRTHDATE, BIRTH_PLACE, EXTERNAL_ID,
        CERTIFICATION_TYPE, STATUS, *(COMPLEMENTARY_PREFIX + label for label in complementary),
        GLOBAL_LEVEL, SCORE, *(c.code for c in COMPETENCES), JURY_COMMENT, SESSION, CENTRE,
        TAKEN_ON,
    )


# --- statuses -------------------------------------------------------------------------------


class CertificationStatus(StrEnum):
    """A certification's outcome; the file's own wording is kept in `status_label`."""

    VALIDATED = "validated"  # "Validée"
    REJECTED = "rejected"  # "Rejetée"; newer files "Non obtenue"
    CANCELLED = "cancelled"  # "Annulée"
    ERROR = "error"  # "En erreur"
    STARTED = "started"  # "Démarrée": the session was not finalised yet

    @property
    def label(self) -> str:
        """The label of older files (and of the samples): "Rejetée", not "Non obtenue"."""
        return _LABELS[self]

    def layout_label(self, *, newer_layout: bool) -> str:
        """The label Pix writes for this status in the older or the newer layout."""
        if newer_layout and self is CertificationStatus.REJECTED:
            return REJECTED_NEWER_LABEL
        return _LABELS[self]

    @property
    def has_results(self) -> bool:
        """Whether the row carries a score: cancelled, in error and started rows do not."""
        return self in (CertificationStatus.VALIDATED, CertificationStatus.REJECTED)


_LABELS: Mapping[CertificationStatus, str] = MappingProxyType({
    CertificationStatus.VALIDATED: "Validée",
    CertificationStatus.REJECTED: "Rejetée",
    CertificationStatus.CANCELLED: "Annulée",
    CertificationStatus.ERROR: "En erreur",
    CertificationStatus.STARTED: "Démarrée",
})
REJECTED_NEWER_LABEL = "Non obtenue"
STATUS_LABELS: tuple[str, ...] = (*_LABELS.values(), REJECTED_NEWER_LABEL)
_STATUS_BY_LABEL = {fold(label): status for status, label in _LABELS.items()}
_STATUS_BY_LABEL[fold(REJECTED_NEWER_LABEL)] = CertificationStatus.REJECTED


def status_from_label(label: str) -> CertificationStatus | None:
    """The status whatever the label's case and accents (`validee`, `VALIDÉE`); None if unknown."""
    return _STATUS_BY_LABEL.get(fold(label))


class ComplementaryStatus(StrEnum):
    """A complementary certification's cell (`Certification CléA`…), as Pix's
    `CertificationResultsCsvValues.getComplementaryCertificationStatus` gives it: cancelled or
    in error with the whole certification, else validated or not obtained when the candidate
    took it, else not taken."""

    VALIDATED = "validated"  # "Validée"
    REJECTED = "rejected"  # "Non obtenue"
    NOT_TAKEN = "not_taken"  # "Non passée"
    CANCELLED = "cancelled"  # "Annulée"
    ERROR = "error"  # "En erreur"

    @property
    def label(self) -> str:
        return COMPLEMENTARY_LABELS[self]

    @property
    def taken(self) -> bool:
        """Whether the candidate sat it (every status but "Non passée")."""
        return self is not ComplementaryStatus.NOT_TAKEN


COMPLEMENTARY_LABELS: Mapping[ComplementaryStatus, str] = MappingProxyType({
    ComplementaryStatus.VALIDATED: "Validée",
    ComplementaryStatus.REJECTED: "Non obtenue",
    ComplementaryStatus.NOT_TAKEN: "Non passée",
    ComplementaryStatus.CANCELLED: "Annulée",
    ComplementaryStatus.ERROR: "En erreur",
})
_COMPLEMENTARY_BY_LABEL = {fold(label): status for status, label in COMPLEMENTARY_LABELS.items()}
# Pix's `Type de certification` of a candidate who took CléA Numérique (v3 files).
CLEA_TYPE = "CléA Numérique by Pix"
CORE_TYPE = "Pix"


def complementary_status_from_label(label: str) -> ComplementaryStatus | None:
    """The complementary status whatever the label's case and accents; None if unknown."""
    return _COMPLEMENTARY_BY_LABEL.get(fold(label))


# --- what a file holds ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificationRow:
    """One candidate's certification, as the results file gives it.

    `pix` is None where the file says `-` (cancelled, in error); `competence_levels` has the
    16 codes "1.1" … "5.2", None for `-` (not tested, or no result at all) and 0 for a
    competence not certified (older files also write 0 everywhere on a rejected row).
    `score_pix` is the newer "Score en Pix" cell (None in older files); `pix` holds the score
    whichever column gave it. `global_level` is the newer "Niveau" ("Indépendant 1"), ""
    for `-` or in older files.
    """

    line: int  # line of the file (header = 1); writers ignore it
    certification_number: str
    first_name: str
    last_name: str
    birthdate: date | None
    birth_place: str
    external_id: str
    status: CertificationStatus
    status_label: str  # as written in the file ("Rejetée" or "Non obtenue"); "" for default
    pix: int | None
    competence_levels: Mapping[str, int | None]
    jury_comment: str = ""
    session: str = ""  # Pix's session number
    taken_on: date | None = None
    certification_type: str = ""  # newer: "Pix", "CléA Numérique by Pix"…
    global_level: str = ""
    score_pix: int | None = None
    centre: str = ""  # newer: certification centre's name
    # newer: complementary certification label ("CléA") → its status, as the file writes it
    # ("Validée"…; the reader refuses a value that is no `ComplementaryStatus`)
    complementary: Mapping[str, str] = field(default_factory=dict)
    division: str = ""  # a merged file's `Classe` cell; "" in Pix's own files

    @property
    def validated(self) -> bool:
        return self.status is CertificationStatus.VALIDATED

    @property
    def certified_competences(self) -> int:
        """Competences certified at level 1 or more."""
        return sum(1 for level in self.competence_levels.values() if level)


@dataclass
class CertificationResults:
    """One results file: its class and date (from its name), valid rows and every problem.

    `errors` make the import refuse the file (rows hold only rows without error);
    `warnings` are inconsistencies Pix never writes but that leave the data meaningful.
    """

    division: str = ""  # from `YYYYMMDD_resultats_<class>.csv`; "" when unknown
    file_date: date | None = None  # the YYYYMMDD of the file name (download day)
    rows: list[CertificationRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    filename: str = ""  # without its folders
    newer_layout: bool = False  # "Score en Pix" instead of "Nombre de Pix"
    complementary_labels: tuple[str, ...] = ()  # newer: "CléA"…, in the file's order
    # "division": one class, named by the file; "merged": a `Classe` column names each row's;
    # "session": a session's file, whose classes are those of the matched pupils
    kind: str = "division"
    # headers of columns the reader does not know, in the file's order (reported, not read)
    unknown_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


# --- file names -----------------------------------------------------------------------------

_DIVISION_FILE = re.compile(r"(\d{8})_resultats_(.+)\.csv", re.IGNORECASE)
_SESSION_FILE = re.compile(r"(\d{8})_\d{4}_resultats_session_\d+\.csv", re.IGNORECASE)
_COPY_SUFFIX = re.compile(r"\s*\(\d+\)$")  # "… (1).csv": a browser's second download


def results_filename(division: str, file_date: date) -> str:
    """Pix's name for a class's results: `20260512_resultats_301.csv`."""
    return f"{file_date:%Y%m%d}_resultats_{division}.csv"


def parse_results_filename(filename: str) -> tuple[str, date | None]:
    """(division, file date) from a results file name; ("", None) for any other name.

    A session's file (`20260505_1430_resultats_session_7001.csv`) has a date but no class.
    """
    name = re.split(r"[\\/]", filename)[-1].strip()
    if len(name) > 255:  # no file system's name; and `_COPY_SUFFIX` would be slow on it
        return "", None
    stem, dot, extension = name.rpartition(".")
    if dot:
        name = _COPY_SUFFIX.sub("", stem) + dot + extension
    if match := _SESSION_FILE.fullmatch(name):
        return "", _yyyymmdd(match.group(1))
    if match := _DIVISION_FILE.fullmatch(name):
        return match.group(2).strip(), _yyyymmdd(match.group(1))
    return "", None


def is_session_filename(filename: str) -> bool:
    """Whether the name is Pix Certif's for a session's results
    (`AAAAMMJJ_HHMM_resultats_session_N.csv`, a browser's ` (1)` allowed)."""
    name = re.split(r"[\\/]", filename)[-1].strip()
    stem, dot, extension = name.rpartition(".")
    if len(name) > 255 or not dot:
        return False
    return _SESSION_FILE.fullmatch(_COPY_SUFFIX.sub("", stem) + dot + extension) is not None


def _yyyymmdd(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
