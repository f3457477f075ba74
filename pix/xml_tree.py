"""Safe XML parsing that remembers on which line each element starts.

ElementTree forgets lines, but an import error must say "Ligne 57". Parsing uses expat directly
with entity declarations refused (no billion laughs, no external entities); a file that cannot
be parsed raises `FileRejected` whose error names the line where expat stopped.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from . import limits
from .files import FileRejected, RowError
from .i18n import _

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def is_utf16(data: bytes) -> bool:
    """A BOM, or text whose every other byte is NUL (UTF-16 without BOM)."""
    head = data[:64]
    return data.startswith(_UTF16_BOMS) or len(head) >= 4 and (
        not any(head[1::2]) or not any(head[0::2])
    )


class Element:
    """An XML element with the line of its start tag; `value()` reads a child's text."""

    __slots__ = ("tag", "line", "attrs", "children", "text")

    def __init__(self, tag: str, line: int, attrs: dict[str, str]) -> None:
        self.tag, self.line, self.attrs = tag, line, attrs
        self.children: list[Element] = []
        self.text = ""

    def find(self, tag: str) -> Element | None:
        return next((child for child in self.children if child.tag == tag), None)

    def findall(self, tag: str) -> list[Element]:
        return [child for child in self.children if child.tag == tag]

    def value(self, tag: str) -> str:
        child = self.find(tag)
        return child.text.strip() if child is not None else ""


class _EntityRefused(Exception):
    pass


class _TooBig(Exception):
    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params


def _rejected_at(line: int, message: str, **params: object) -> FileRejected:
    """A whole-file rejection that still names the line where reading stopped."""
    rejected = FileRejected(message, **params)
    rejected.error = RowError(line, message, params=params)
    return rejected


_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_EXPAT_ERRORS_FR = {  # pyexpat's error constants are its English messages
    expat.errors.XML_ERROR_INVALID_TOKEN: _("caractère invalide (encodage incorrect ?)"),
    expat.errors.XML_ERROR_TAG_MISMATCH: _("balise fermante qui ne correspond pas"),
    expat.errors.XML_ERROR_UNCLOSED_TOKEN: _("balise non fermée"),
    expat.errors.XML_ERROR_NO_ELEMENTS: _("fichier incomplet ou vide"),
    expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: _("contenu après la fin du document"),
    expat.errors.XML_ERROR_INCORRECT_ENCODING: _("encodage déclaré incorrect"),
    expat.errors.XML_ERROR_UNKNOWN_ENCODING: _("encodage inconnu"),
}


def parse_xml(data: bytes) -> Element:
    """The element tree, with lines; entity declarations are refused (billion laughs, XXE).

    The tree is bounded (`limits.MAX_XML_*`): elements, nesting and the text of one element,
    so that a small file of tiny or deeply nested elements cannot fill the memory.
    """
    if len(data) > limits.MAX_UNZIPPED_BYTES:
        raise FileRejected(limits.too_big_message(),
                           max=limits.megabytes(limits.MAX_UNZIPPED_BYTES))
    head = data[:512]
    if is_utf16(data):
        head = head.decode("utf-16", "ignore").encode("ascii", "ignore")
    declared = _XML_DECLARATION.match(head)
    encoding = declared.group(1).decode("ascii").upper() if declared else "UTF-8"
    if is_utf16(data) and not encoding.startswith("UTF-16"):
        raise _rejected_at(
            1, _("le fichier est enregistré en UTF-16 mais déclare l’encodage %(declared)s"),
            declared=encoding,
        )
    override = None
    if not encoding.startswith(("UTF", "US-ASCII")) and max(data, default=0) >= 0x80:
        try:  # re-saved in UTF-8 by an editor that kept the declaration: read what is there
            data.decode("utf-8")
            override = "UTF-8"
        except UnicodeDecodeError:
            pass
    parser = expat.ParserCreate(override)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    roots: list[Element] = []
    stack: list[Element] = []
    count = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > limits.MAX_XML_ELEMENTS:
            raise _TooBig(_("le fichier XML compte plus de %(max)s éléments : ce n’est pas un "
                            "export SIECLE d’un seul établissement."),
                          max=limits.number(limits.MAX_XML_ELEMENTS))
        if len(stack) >= limits.MAX_XML_DEPTH:
            raise _TooBig(_("le fichier XML imbrique plus de %(max)s niveaux d’éléments : ce "
                            "n’est pas un export SIECLE."), max=limits.number(limits.MAX_XML_DEPTH))
        node = Element(tag, parser.CurrentLineNumber, attrs)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def characters(text: str) -> None:
        if stack:
            if stack[-1].children and text.isspace():
                return  # indentation between children: never read, not kept
            if len(stack[-1].text) + len(text) > limits.MAX_XML_TEXT:
                raise _TooBig(_("l’élément « %(tag)s » contient plus de %(max)s caractères : "
                                "ce n’est pas un export SIECLE."),
                              tag=stack[-1].tag[:50], max=limits.number(limits.MAX_XML_TEXT))
            stack[-1].text += text

    def refuse(*_args: object) -> None:
        raise _EntityRefused

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: stack.pop()
    parser.CharacterDataHandler = characters
    parser.EntityDeclHandler = refuse
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        english = expat.ErrorString(exc.code)
        detail = _EXPAT_ERRORS_FR.get(english, english)
        raise _rejected_at(
            exc.lineno, _("le fichier XML est mal formé : %(detail)s"), detail=detail
        ) from None
    except _TooBig as too_big:
        raise _rejected_at(parser.CurrentLineNumber, too_big.message, **too_big.params) from None
    except _EntityRefused:
        raise _rejected_at(
            parser.CurrentLineNumber, _("déclaration d’entité refusée dans le fichier XML")
        ) from None
    except (LookupError, ValueError):
        raise _rejected_at(
            1, _("encodage déclaré inconnu : %(declared)s"), declared=encoding
        ) from None
    return roots[0]
