"""English is real: a complete, compiled catalogue, and French unless the user picks English.

The catalogue is read with a small parser rather than polib (not a dependency); `msgfmt` checks it
too when gettext is installed.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdf]|%[sdf]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file (the header included, with an empty msgid)."""
    entries: list[Entry] = []
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8").strip()):
        entry, target = Entry(), None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line.strip():
                continue
            elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$',
                                   line):
                keyword, index, text = match.groups()
                text = ast.literal_eval(text)
                if keyword.startswith("msgstr"):
                    target = ("msgstr", int(index or 0))
                    entry.msgstr[target[1]] = text
                else:
                    target = (keyword, None)
                    setattr(entry, keyword, text)
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if target[0] == "msgstr":
                    entry.msgstr[target[1]] += text
                else:
                    setattr(entry, target[0], getattr(entry, target[0]) + text)
            else:
                raise AssertionError(f"unexpected line in {path.name}: {line!r}")
        if entry.msgstr or entry.msgid:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return [e for e in read_po(PO) if e.msgid and not e.obsolete]


def test_catalogue_is_complete(entries):
    assert len(entries) > 300  # the whole UI, not a stub
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
    plural = [e.msgid for e in entries if e.msgid_plural is not None and len(e.msgstr) != 2]
    assert not plural, plural


def test_translations_keep_placeholders(entries):
    def placeholders(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    wrong = []
    for e in entries:
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for index, text in e.msgstr.items():
            source = sources[min(index, len(sources) - 1)]
            if placeholders(text) != placeholders(source):
                wrong.append((source, text))
    assert not wrong, wrong


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext's msgfmt is not installed")
def test_msgfmt_accepts_catalogue(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(PO)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_compiled_catalogue_is_up_to_date(entries):
    """The committed .mo holds the .po's translations: run `compilemessages` after editing."""
    assert MO.exists(), "locale/en/LC_MESSAGES/django.mo is missing: run compilemessages"
    # A checkout writes both files within moments of each other, in any order.
    assert MO.stat().st_mtime >= PO.stat().st_mtime - 2, "the .mo is older than the .po"
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    stale = []
    for e in entries:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            compiled = {0: catalog.get(key)}
        else:
            compiled = {i: catalog.get((key, i)) for i in e.msgstr}
        if compiled != e.msgstr:
            stale.append(e.msgid)
    assert not stale, stale


@pytest.fixture
def restore_language():
    """Requests activate a language for the thread; later tests expect the default (French)."""
    previous = translation.get_language()
    yield
    translation.activate(previous) if previous else translation.deactivate()


def test_french_by_default_even_for_an_english_browser(world, login, restore_language):
    client = login(world.rupn)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Tableau de bord" in html and "Prochaines étapes de l’année" in html
    assert "Dashboard" not in html


def test_english_once_chosen(world, login, restore_language):
    client = login(world.rupn)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr").content.decode()
    assert '<html lang="en">' in html
    assert "Dashboard" in html and "Next steps for the year" in html
    assert "Tableau de bord" not in html


def test_footer_language_form_switches_to_english(world, login, restore_language):
    client = login(world.rupn)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Dashboard" in client.get("/").content.decode()
