"""Pix's arithmetic: levels from pix, certifiability, certification v3 level bands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PIX_PER_LEVEL = 8
FRAMEWORK_MAX_LEVEL = 8  # the CRCN has 8 levels; Pix opens them gradually
DEFAULT_MAX_LEVEL = 6  # reachable maximum in Pix since about 2023 (5 before); a setting
CERTIFIABLE_MIN_COMPETENCES = 5
V3_MAX_PIX = 895

# Certification v3 (since late 2024): global level by pix score.
V3_LEVEL_BANDS: tuple[tuple[str, int, int], ...] = (
    ("Novice 1", 64, 127),
    ("Novice 2", 128, 255),
    ("Indépendant 1", 256, 383),
    ("Indépendant 2", 384, 511),
    ("Avancé 1", 512, 639),
    ("Avancé 2", 640, 767),
    ("Expert 1", 768, 895),
)
V3_LEVEL_NAMES: tuple[str, ...] = tuple(name for name, _, _ in V3_LEVEL_BANDS)
BELOW_V3_BANDS = "Pré-niveau"  # under 64 pix: no global level


def check_level(level: int) -> int:
    if not 0 <= level <= FRAMEWORK_MAX_LEVEL:
        raise ValueError(f"level out of 0–{FRAMEWORK_MAX_LEVEL}: {level}")
    return level


def level_from_pix(pix: int, max_level: int = DEFAULT_MAX_LEVEL) -> int:
    """A competence's level: 8 pix a level, capped at the reachable maximum."""
    if pix < 0:
        raise ValueError(f"negative pix: {pix}")
    check_level(max_level)
    return min(pix // PIX_PER_LEVEL, max_level)


def capped_pix(pix: int, max_level: int = DEFAULT_MAX_LEVEL) -> int:
    if pix < 0:
        raise ValueError(f"negative pix: {pix}")
    return min(pix, max_level * PIX_PER_LEVEL)


def certifiable_competences(levels: Mapping[str, int | None] | Iterable[int | None]) -> int:
    values = levels.values() if isinstance(levels, Mapping) else levels
    return sum(1 for level in values if level is not None and level >= 1)


def is_certifiable(levels: Mapping[str, int | None] | Iterable[int | None]) -> bool:
    """Level 1 or more in at least 5 competences."""
    return certifiable_competences(levels) >= CERTIFIABLE_MIN_COMPETENCES


def v3_global_level(pix: int | None) -> str | None:
    """The v3 global level of a certification score; `BELOW_V3_BANDS` under 64; None if no score."""
    if pix is None:
        return None
    if pix < 0:
        raise ValueError(f"negative pix: {pix}")
    for name, low, high in V3_LEVEL_BANDS:
        if low <= pix <= high:
            return name
    if pix < V3_LEVEL_BANDS[0][1]:
        return BELOW_V3_BANDS
    return V3_LEVEL_BANDS[-1][0]
