"""The pupil base: SIECLE's BEE_ELEVES export (XML, maybe zipped) or Pix's CSV pupil list.

The kind of file is told by its content, never by its name: people rename and re-zip files.
Reading never raises on bad input: whatever goes wrong ends in `PupilBase.errors`, in French,
naming the line (and the column or XML element) so that the person importing can fix it.
Writers produce the same formats, for tests and the demo.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from . import limits
from .archives import SafeZip, is_zip
from .files import (
    CellError,
    FileRejected,
    RowError,
    check_error_cap,
    decode,
    parse_date,
    read_table,
)
from .i18n import _
from .xml_tree import Element, is_utf16, parse_xml

SIECLE = "siecle"
CSV = "csv"
INACTIVE_DIVISION = "Inactifs"  # SIECLE's pseudo-class of pupils who have left
INE_PATTERN = re.compile(r"^(\d{10}[A-Z]|\d{9}[A-Z]{2})$")  # shapes accepted by Pix


@dataclass(frozen=True)
class PupilRow:
    line: int  # 1-based line in the file (XML: the <ELEVE>; CSV: header is line 1); 0 if none
    ine: str  # upper-cased, stripped
    last_name: str
    usage_name: str  # "" when none
    first_name: str
    other_first_names: str  # PRENOM2 and PRENOM3 joined by a space, "" when none
    sex: str  # "M" or "F"
    birthdate: date
    birth_place: str  # "" when unknown
    mef_code: str
    division: str  # the class code, e.g. "5A" or "301"
    leaving_date: date | None = None  # written as DATE_SORTIE; reader rows are always None


@dataclass
class PupilBase:
    format: str  # SIECLE or CSV; "" when the kind of file could not be told
    uai: str | None  # SIECLE: /BEE_ELEVES/PARAMETRES/UAJ; CSV: None
    school_year: int | None  # SIECLE ANNEE_SCOLAIRE (start year); CSV: None
    rows: list[PupilRow]
    errors: list[RowError]
    skipped_left: int = 0  # SIECLE pupils with a DATE_SORTIE
    skipped_no_ine: int = 0  # pupils without INE (SIECLE or CSV): not importable, not an error
    skipped_no_class: int = 0  # SIECLE pupils with no division (only groups, or Inactifs)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_valid_ine(ine: str) -> bool:
    """The INE shapes Pix accepts (10 digits + a letter, 9 digits + 2 letters)."""
    return bool(INE_PATTERN.match(ine.strip().upper()))


# --- reading: telling the kind of file ----------------------------------------------------

_MAGIC = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\xd0\xcf\x11\xe0", "Excel 97-2003 (XLS)"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7-Zip"),
)
_NEITHER = _(
    "Ce fichier (%(kind)s) n’est ni un export SIECLE (XML ou zip) ni une liste d’élèves CSV."
)


def read_pupil_base(
    data: bytes, *, filename: str = "", expected_uai: str | None = None
) -> PupilBase:
    """Rows and line-numbered errors of a SIECLE export (XML or zip) or a CSV pupil list.

    `filename` is only a label for the caller: the kind of file is told by its content.
    With `expected_uai`, a SIECLE export of another establishment is refused as a whole.
    """
    base = PupilBase(format="", uai=None, school_year=None, rows=[], errors=[])
    try:
        _read_any(data, base, expected_uai)
    except FileRejected as rejected:
        base.rows = []
        base.errors.append(rejected.error)
    if not base.rows and not base.errors:
        base.errors.append(_nothing_to_import(base))
    return base


def _nothing_to_import(base: PupilBase) -> RowError:
    skipped = {"left": base.skipped_left, "no_ine": base.skipped_no_ine,
               "no_class": base.skipped_no_class}
    if not any(skipped.values()):
        return RowError(None, _("Le fichier ne contient aucun élève."))
    return RowError(None, _(
        "Aucun élève à importer (sortis : %(left)s, sans INE : %(no_ine)s, "
        "sans classe : %(no_class)s)."
    ), params=skipped)


def _read_any(data: bytes, base: PupilBase, expected_uai: str | None) -> None:
    if not data or not data.strip():
        raise FileRejected(_("Le fichier est vide."))
    too_big = limits.file_size_problem(data)
    if too_big is not None:
        raise FileRejected(too_big[0], **too_big[1])
    if is_zip(data):
        data = _xml_from_zip(data)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise FileRejected(_NEITHER, kind=kind)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or (is_utf16(data) and _looks_like_xml_utf16(data)):
        nul_line = None if is_utf16(data) else limits.nul_byte_line(data)
        if nul_line is not None:  # expat would only say "invalid token"
            raise FileRejected(limits.nul_byte_message(), at_line=nul_line)
        base.format = SIECLE
        _read_siecle(data, base, expected_uai)
        return
    if is_utf16(data):
        raise FileRejected(_("Le fichier est en UTF-16 : enregistrez-le en CSV UTF-8."))
    if any(byte < 0x20 and byte not in b"\t\r\n\x0c" for byte in data[:4096]):
        raise FileRejected(_NEITHER, kind=_("binaire"))
    base.format = CSV
    _read_csv(data, base)


def _looks_like_xml_utf16(data: bytes) -> bool:
    return data.decode("utf-16", errors="replace").lstrip("\ufeff \t\r\n").startswith("<")


def _xml_from_zip(data: bytes) -> bytes:
    """The SIECLE XML inside a zip; spreadsheets (also zips of XML) are told apart."""
    archive = SafeZip(data)
    if "[Content_Types].xml" in archive.names:
        raise FileRejected(_NEITHER, kind=_("document Office, XLSX"))
    if "mimetype" in archive.names:
        raise FileRejected(_NEITHER, kind=_("document OpenDocument, ODS"))
    xmls = [name for name in archive.names
            if name.lower().endswith(".xml") and not name.startswith("__MACOSX")]
    if not xmls:
        raise FileRejected(_("L’archive zip ne contient aucun fichier XML (export SIECLE)."))
    # Several XML files: prefer the pupil export.
    contents = [archive.read(name) for name in xmls]
    return next((content for content in contents if b"BEE_ELEVES" in content), contents[0])


# --- reading: SIECLE XML ------------------------------------------------------------------


def _read_siecle(data: bytes, base: PupilBase, expected_uai: str | None) -> None:
    root = parse_xml(data)
    if root.tag != "BEE_ELEVES":
        raise FileRejected(
            _("Ce n’est pas un export SIECLE BEE_ELEVES (élément racine « %(root)s »)."),
            root=root.tag,
        )
    params = root.find("PARAMETRES") or Element("PARAMETRES", root.line, {})
    base.uai = params.value("UAJ").upper() or None
    year = params.value("ANNEE_SCOLAIRE")
    base.school_year = int(year) if year.isdigit() else None
    if expected_uai and base.uai != expected_uai.strip().upper():
        uaj = params.find("UAJ")
        message = (
            _("Ce fichier est celui de l’établissement %(found)s, pas de %(expected)s.")
            if base.uai else _("UAJ absent : impossible de vérifier que le fichier est celui "
                               "de l’établissement %(expected)s.")
        )
        base.errors.append(RowError(
            uaj.line if uaj is not None else params.line, message, column="UAJ",
            params={"found": base.uai, "expected": expected_uai.strip().upper()},
        ))
        return  # another school's pupils: nothing of this file may be imported
    donnees = root.find("DONNEES") or Element("DONNEES", root.line, {})
    divisions = _siecle_divisions(donnees)
    eleves = donnees.find("ELEVES")
    seen: dict[str, int] = {}
    for eleve in eleves.findall("ELEVE") if eleves is not None else []:
        if check_error_cap(base.errors, eleve.line):
            return
        if eleve.value("DATE_SORTIE"):
            base.skipped_left += 1
            continue
        if not eleve.value("ID_NATIONAL"):
            base.skipped_no_ine += 1
            continue
        division = divisions.get(eleve.attrs.get("ELEVE_ID", ""), "")
        if not division or division.lower() == INACTIVE_DIVISION.lower():
            base.skipped_no_class += 1
            continue
        values = {field: eleve.value(tag) for field, tag in _SIECLE_TAGS.items()}
        values["other_first_names"] = " ".join(
            filter(None, (eleve.value("PRENOM2"), eleve.value("PRENOM3")))
        )
        values["division"] = division
        _add_row(base, seen, eleve.line, values, _SIECLE_COLUMNS)


_SIECLE_TAGS = {
    "ine": "ID_NATIONAL", "last_name": "NOM_DE_FAMILLE", "usage_name": "NOM_USAGE",
    "first_name": "PRENOM", "sex": "CODE_SEXE", "birthdate": "DATE_NAISS",
    "birth_place": "VILLE_NAISS", "mef_code": "CODE_MEF",
}
_SIECLE_COLUMNS = {**_SIECLE_TAGS, "division": "STRUCTURE"}


def _siecle_divisions(donnees: Element) -> dict[str, str]:
    """ELEVE_ID → code of its division (TYPE_STRUCTURE D); groups (G) are ignored."""
    divisions: dict[str, str] = {}
    structures = donnees.find("STRUCTURES")
    for item in structures.findall("STRUCTURES_ELEVE") if structures is not None else []:
        for structure in item.findall("STRUCTURE"):
            code = structure.value("CODE_STRUCTURE")
            if structure.value("TYPE_STRUCTURE") == "D" and code:
                divisions.setdefault(item.attrs.get("ELEVE_ID", ""), code)
    return divisions


# --- reading: CSV -------------------------------------------------------------------------

# field → accepted headers (the first is Pix's label, named in errors), required?
_CSV_HEADERS: dict[str, tuple[tuple[str, ...], bool]] = {
    "ine": (("Identifiant unique*", "Identifiant unique", "INE"), True),
    "first_name": (("Premier prénom*", "Premier prénom", "Prénom"), True),
    "second_first_name": (("Deuxième prénom",), False),
    "third_first_name": (("Troisième prénom",), False),
    "last_name": (("Nom de famille*", "Nom de famille", "Nom"), True),
    "usage_name": (("Nom d'usage",), False),
    "sex": (("Code sexe*", "Code sexe", "Sexe"), True),
    "birthdate": (
        ("Date de naissance (jj/mm/aaaa)*", "Date de naissance (jj/mm/aaaa)", "Date de naissance"),
        True,
    ),
    "birth_place": (("Libellé commune naissance**", "Libellé commune naissance"), False),
    "mef_code": (("Code MEF*", "Code MEF"), False),  # the grade can come from the class name
    "division": (("Division*", "Division", "Classe"), True),
}
CSV_HEADERS: tuple[str, ...] = (
    "Identifiant unique*", "Premier prénom*", "Deuxième prénom", "Troisième prénom",
    "Nom de famille*", "Nom d'usage", "Code sexe*", "Date de naissance (jj/mm/aaaa)*",
    "Code commune naissance**", "Libellé commune naissance**", "Code département naissance*",
    "Code pays naissance*", "Statut*", "Code MEF*", "Division*",
)


def _read_csv(data: bytes, base: PupilBase) -> None:
    table = read_table(decode(data))
    columns = {field: table.find(*labels) for field, (labels, _required) in _CSV_HEADERS.items()}
    missing = [labels[0] for field, (labels, required) in _CSV_HEADERS.items()
               if required and columns[field] is None]
    if len(missing) == sum(required for _labels, required in _CSV_HEADERS.values()):
        raise FileRejected(_(
            "Ce fichier n’est pas une liste d’élèves : aucune des colonnes attendues "
            "(« Identifiant unique* », « Nom de famille* », « Division* »…) n’a été trouvée."
        ))
    for label in missing:
        base.errors.append(RowError(1, _("colonne obligatoire absente"), column=label))
    if missing:
        return
    names = {field: columns[field] or labels[0] for field, (labels, _r) in _CSV_HEADERS.items()}
    seen: dict[str, int] = {}
    for row in table.rows:
        if check_error_cap(base.errors, row.line):
            return
        values = {field: row.get(column) for field, column in columns.items()}
        if not values["ine"]:
            base.skipped_no_ine += 1
            continue
        values["other_first_names"] = " ".join(
            filter(None, (values.pop("second_first_name"), values.pop("third_first_name")))
        )
        _add_row(base, seen, row.line, values, names)


# --- reading: one pupil, whatever the format ----------------------------------------------

_SEXES = {"M": "M", "1": "M", "F": "F", "2": "F"}


def _add_row(
    base: PupilBase, seen: dict[str, int], line: int, values: Mapping[str, str],
    columns: Mapping[str, str],
) -> None:
    """Checks a pupil's values and adds it to `base.rows`, or its errors to `base.errors`."""
    errors: list[RowError] = []

    def fail(field: str, message: str, **params: object) -> None:
        errors.append(RowError(line, message, column=columns[field], params=params))

    ine = values["ine"].strip().upper()
    if ine in seen:
        fail("ine", _("INE %(ine)s déjà présent ligne %(first_line)s"), ine=ine,
             first_line=seen[ine])
    last_name, first_name = values["last_name"].strip(), values["first_name"].strip()
    if not last_name:
        fail("last_name", _("nom de famille manquant"))
    if not first_name:
        fail("first_name", _("prénom manquant"))
    # SIECLE codes sexes 1/2; CSV lists write M/F, Masculin/Féminin: the first letter counts.
    sex = _SEXES.get(values["sex"].strip()[:1].upper())
    if not values["sex"].strip():
        fail("sex", _("sexe manquant (M ou F attendu)"))
    elif sex is None:
        fail("sex", _("sexe « %(value)s » non reconnu (M ou F attendu)"), value=values["sex"])
    birthdate = None
    if not values["birthdate"].strip():
        fail("birthdate", _("date de naissance manquante"))
    else:
        try:
            birthdate = parse_date(values["birthdate"])
        except CellError as exc:
            fail("birthdate", exc.message, **exc.params)
    division = values["division"].strip()
    if not division:
        fail("division", _("division (classe) manquante"))
    if errors or sex is None or birthdate is None:
        base.errors.extend(errors)
        return
    seen[ine] = line
    base.rows.append(PupilRow(
        line=line, ine=ine, last_name=last_name, usage_name=values["usage_name"].strip(),
        first_name=first_name, other_first_names=values["other_first_names"].strip(),
        sex=sex, birthdate=birthdate, birth_place=values["birth_place"].strip(),
        mef_code=values["mef_code"].strip(), division=division,
    ))


# --- writing ------------------------------------------------------------------------------


def _split_other_first_names(row: PupilRow) -> tuple[str, str]:
    second, _sep, third = row.other_first_names.strip().partition(" ")
    return second, third


def write_siecle_xml(
    rows: Iterable[PupilRow], *, uai: str, school_year: int,
    groups: Mapping[str, str] | None = None,
) -> bytes:
    """A BEE_ELEVES export in ISO-8859-15, structured as SIECLE writes it.

    `groups` maps an INE to a G group (LATIN…) written beside the division; a pupil whose
    division is "" has only that group, as SIECLE pupils who are not in a class yet.
    """
    groups = groups or {}
    pupils, structures = [], []
    for number, row in enumerate(rows, start=1):
        eleve_id = f"{number:05d}"
        second, third = _split_other_first_names(row)
        fields = [
            ("ID_NATIONAL", row.ine), ("NOM_DE_FAMILLE", row.last_name),
            ("NOM_USAGE", row.usage_name), ("PRENOM", row.first_name), ("PRENOM2", second),
            ("PRENOM3", third), ("CODE_SEXE", "1" if row.sex == "M" else "2"),
            ("DATE_NAISS", row.birthdate.strftime("%d/%m/%Y")), ("CODE_PAYS", "100"),
            ("VILLE_NAISS", row.birth_place), ("CODE_MEF", row.mef_code), ("CODE_STATUT", "ST"),
        ]
        if row.leaving_date:
            fields.append(("DATE_SORTIE", row.leaving_date.strftime("%d/%m/%Y")))
        pupils.append(f'      <ELEVE ELEVE_ID="{eleve_id}">\n' + "".join(
            f"        <{tag}>{escape(value)}</{tag}>\n" for tag, value in fields
        ) + "      </ELEVE>\n")
        kinds = [(code, kind) for code, kind in ((groups.get(row.ine, ""), "G"),
                                                 (row.division, "D")) if code]
        structures.append(f'      <STRUCTURES_ELEVE ELEVE_ID="{eleve_id}">\n' + "".join(
            "        <STRUCTURE>\n"
            f"          <CODE_STRUCTURE>{escape(code)}</CODE_STRUCTURE>\n"
            f"          <TYPE_STRUCTURE>{kind}</TYPE_STRUCTURE>\n"
            "        </STRUCTURE>\n" for code, kind in kinds
        ) + "      </STRUCTURES_ELEVE>\n")
    text = (
        '<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="2.1">\n'
        f"  <PARAMETRES>\n    <UAJ>{escape(uai)}</UAJ>\n"
        f"    <ANNEE_SCOLAIRE>{school_year}</ANNEE_SCOLAIRE>\n  </PARAMETRES>\n"
        "  <DONNEES>\n    <ELEVES>\n" + "".join(pupils) + "    </ELEVES>\n"
        "    <STRUCTURES>\n" + "".join(structures) + "    </STRUCTURES>\n"
        "  </DONNEES>\n</BEE_ELEVES>\n"
    )
    # Characters outside Latin-9 become character references, which every XML reader decodes.
    return text.encode("iso-8859-15", errors="xmlcharrefreplace")


def write_pupil_csv(
    rows: Iterable[PupilRow], *, delimiter: str = ";", encoding: str = "utf-8"
) -> bytes:
    """Pix's CSV pupil list, headers exactly as Pix's template (see `CSV_HEADERS`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    for row in rows:
        second, third = _split_other_first_names(row)
        writer.writerow([
            row.ine, row.first_name, second, third, row.last_name, row.usage_name, row.sex,
            row.birthdate.strftime("%d/%m/%Y"), "", row.birth_place, "", "99100", "ST",
            row.mef_code, row.division,
        ])
    return out.getvalue().encode(encoding, errors="replace")
