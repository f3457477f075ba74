"""Reading the files of a zip without trusting it: SIECLE exports and certification results.

A zip states the size of each file, and `zipfile` believes it: a file can claim 1 KB and
inflate to gigabytes, a directory can list a million entries. Here the central directory is
measured before `zipfile` parses it, each file is inflated by chunks and its real size counted
against a budget shared by every file of one upload, and the names that cannot belong to a
Pix or SIECLE export (empty, absolute, `..`, an archive inside the archive) are refused with a
French message, never an exception.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from . import limits
from .files import FileRejected
from .i18n import _

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_CHUNK = 64 * 1024
_UNREADABLE = _("L’archive ZIP est illisible ou endommagée.")
_NESTED = _("L’archive ZIP contient une autre archive (« %(name)s ») : décompressez-la et "
            "envoyez les fichiers qu’elle contient.")
_METHODS = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64"}
_ARCHIVE_EXTENSIONS = (".zip", ".jar", ".7z", ".rar", ".gz", ".tgz", ".bz2", ".xz")


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


@dataclass
class InflateBudget:
    """Bytes left to inflate for one upload, however many zips it holds."""

    limit: int = limits.MAX_UNZIPPED_BYTES
    used: int = 0

    def take(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise FileRejected(
                _("L’archive ZIP est trop volumineuse une fois décompressée (plus de "
                  "%(max)s Mo) : ce n’est pas un export de Pix ou de SIECLE."),
                max=limits.megabytes(self.limit),
            )


def _check_directory(data: bytes) -> None:
    """The central directory's size and entry count, read from its end record, before
    `zipfile` builds an object per entry."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        raise FileRejected(_UNREADABLE)
    entries = int.from_bytes(data[end + 10 : end + 12], "little")
    size = int.from_bytes(data[end + 12 : end + 16], "little")
    if end >= 20 and data[end - 20 : end - 16] == _ZIP64_LOCATOR or entries == 0xFFFF or (
        size == 0xFFFFFFFF
    ):
        raise FileRejected(_("Cette archive est au format ZIP64, réservé aux très gros "
                             "fichiers : ce n’est pas un export de Pix ou de SIECLE."))
    if entries > limits.MAX_ZIP_MEMBERS:
        raise FileRejected(_("L’archive ZIP contient trop de fichiers (%(count)s, au plus "
                             "%(max)s)."), count=limits.number(entries), max=limits.MAX_ZIP_MEMBERS)
    if size > limits.MAX_ZIP_DIRECTORY_BYTES:  # few entries, but huge names or extra fields
        raise FileRejected(_UNREADABLE)


def _check_entry(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if not name.strip():
        raise FileRejected(_("L’archive ZIP contient un fichier sans nom : elle est "
                             "endommagée. Créez-la à nouveau à partir des fichiers d’origine."))
    parts = re.split(r"[\\/]", name)
    if (name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts
            or len(name) > 255 or any(ord(char) < 32 for char in name)):
        raise FileRejected(_("L’archive ZIP contient un chemin de fichier non valide "
                             "(« %(name)s ») : créez-la à nouveau à partir des fichiers "
                             "d’origine."), name=name[:100])
    if name.lower().endswith(_ARCHIVE_EXTENSIONS):
        raise FileRejected(_NESTED, name=parts[-1][:100])
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # zipfile inflates bzip2 and lzma in one call, without any bound on the output: a
        # few hundred bytes of bzip2 would become gigabytes before a chunk could be counted.
        raise FileRejected(_("L’archive ZIP est compressée avec une méthode non prise en "
                             "charge (%(method)s) : créez-la à nouveau avec l’outil de "
                             "compression de Windows ou de macOS."),
                           method=_METHODS.get(info.compress_type, str(info.compress_type)))
    if info.flag_bits & 0x1:
        raise FileRejected(_("L’archive ZIP est protégée par un mot de passe : créez-la à "
                             "nouveau sans mot de passe."))


class SafeZip:
    """The files of a zip (directories left out, every name checked), read one by one.

    Raises `FileRejected` for anything else: damaged, too many files, too big once inflated
    (counted while inflating, whatever the zip says), a zip in the zip, a name that cannot be
    a file's. `budget` is shared by the zips of one upload.
    """

    def __init__(self, data: bytes, *, budget: InflateBudget | None = None) -> None:
        self.budget = budget if budget is not None else InflateBudget()
        _check_directory(data)
        with _readable():
            self._archive = zipfile.ZipFile(io.BytesIO(data))
            entries = self._archive.infolist()
            if len(entries) > limits.MAX_ZIP_MEMBERS:  # an end record that lied
                raise FileRejected(_("L’archive ZIP contient trop de fichiers (%(count)s, au "
                                     "plus %(max)s)."), count=len(entries),
                                   max=limits.MAX_ZIP_MEMBERS)
        # A zip made from a folder lists the folder itself: nothing to read there.
        self._infos = [info for info in entries if not info.filename.endswith(("/", "\\"))]
        for info in self._infos:
            _check_entry(info)
        self.names = [info.filename for info in self._infos]

    def read(self, name: str) -> bytes:
        info = next(info for info in self._infos if info.filename == name)
        with _readable():
            chunks = []
            with self._archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    self.budget.take(len(chunk))
                    chunks.append(chunk)
        content = b"".join(chunks)
        if is_zip(content):
            raise FileRejected(_NESTED, name=re.split(r"[\\/]", name)[-1][:100])
        return content


@contextmanager
def _readable() -> Iterator[None]:
    """Turns what `zipfile` raises on a damaged, unsupported or encrypted zip into the
    project's message."""
    try:
        yield
    except _ZIP_ERRORS:
        raise FileRejected(_UNREADABLE) from None


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
               ValueError, NotImplementedError, RuntimeError, IndexError, KeyError)
