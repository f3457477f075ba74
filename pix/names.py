"""Normalised person names, to match Pix participants (no INE in exports) to pupils."""

from __future__ import annotations

from .referential import fold


def normalise_name(name: str) -> str:
    """`Jean-Éloïse  D'Arc` → `jean eloise d arc`: case, accents, hyphens, apostrophes, spaces."""
    folded = fold(name)
    for separator in ("-", "'", "’", ".", "_"):
        folded = folded.replace(separator, " ")
    return " ".join(folded.split())


def person_key(last_name: str, first_name: str) -> str:
    return f"{normalise_name(last_name)}|{normalise_name(first_name)}"
