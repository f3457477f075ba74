"""Text in reportlab documents, always literal.

reportlab's `Paragraph` parses its text as markup: a school's, a class's or a pupil's name
holding `<img src="/etc/passwd"/>` would embed a file of the server's disk, `<a href=...>` a
link, and `<b>` left open a 500. Every PDF of pixorga builds its paragraphs here, where the
text is escaped; styling (bold, size) comes from the paragraph style, never from markup.
Text drawn on the canvas (`drawString`) or put as a plain string in a `Table` cell is not
parsed and needs no escaping.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph


def pdf_escape(text: object) -> str:
    """`text` as reportlab paragraph markup that prints it as it is."""
    return escape(str(text))


def paragraph(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph printing `text` literally, whatever markup it holds."""
    return Paragraph(pdf_escape(text), style)
