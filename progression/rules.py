"""Objectives of the common progression, as pure functions: a pupil's levels and an objective's
rules in, whether the pupil meets it and exactly what is missing out. No database.

A level is known or not: `None` (or a competence absent from the mapping) means no result yet,
which never counts as reached, even for a rule at level 0.

Messages are French templates with `%(name)s` placeholders, marked for translation and
translated when shown (`Message.text`), as in `pix`. A staff wording ("niveau 1 dans 2
compétences de plus") and a pupil's ("le niveau 1 dans 2 compétences de plus") are kept side
by side, so that the pupil's space speaks to a 12-year-old.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext, gettext_noop

from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES, DOMAINS, competences_of
from pix.rules import CERTIFIABLE_MIN_COMPETENCES, FRAMEWORK_MAX_LEVEL, certifiable_competences

_ = gettext_noop

Levels = Mapping[str, int | None]


class RuleKind(StrEnum):
    MIN_LEVEL_COUNT = "min_level_count"  # level ≥ L in at least N competences
    EACH_DOMAIN = "each_domain"  # at least one competence of each domain at level ≥ L
    NAMED = "named"  # these competences at level ≥ L
    ALL = "all"  # the 16 competences at level ≥ L
    CERTIFIABLE = "certifiable"  # level ≥ 1 in at least 5 competences (Pix's rule)


@dataclass(frozen=True)
class Message:
    """A French template and its parameters; `text` is the translation, filled in."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        translated = gettext(self.template)
        return translated % dict(self.params) if self.params else translated


# --- rules ------------------------------------------------------------------------------------


def rule_problems(kind: str, level: int | None, count: int | None,
                  competences: Sequence[str]) -> list[str]:
    """What makes a rule impossible to evaluate, as French messages (empty when it is fine)."""
    problems: list[str] = []
    try:
        kind = RuleKind(kind)
    except ValueError:
        return [_("Type de règle inconnu.")]
    if kind is RuleKind.CERTIFIABLE:
        return problems
    if level is None or not 0 <= level <= FRAMEWORK_MAX_LEVEL:
        problems.append(_("Le niveau va de 0 à 8."))
    if kind is RuleKind.MIN_LEVEL_COUNT and (
        count is None or not 1 <= count <= len(COMPETENCE_CODES)
    ):
        problems.append(_("Le nombre de compétences va de 1 à 16."))
    if kind is RuleKind.NAMED:
        if not competences:
            problems.append(_("Choisissez au moins une compétence."))
        elif any(code not in COMPETENCE_BY_CODE for code in competences):
            problems.append(_("Compétence inconnue."))
    return problems


@dataclass(frozen=True)
class RuleSpec:
    """One rule of an objective. `level` is L; `count` is N (only for `MIN_LEVEL_COUNT`);
    `competences` the codes required (only for `NAMED`). `CERTIFIABLE` takes neither: it is
    Pix's rule, level 1 in at least 5 competences."""

    kind: RuleKind
    level: int = 1
    count: int | None = None
    competences: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RuleKind(self.kind))
        codes = tuple(code for code in COMPETENCE_CODES if code in set(self.competences))
        object.__setattr__(self, "competences", codes if self.kind is RuleKind.NAMED else ())
        if self.kind is RuleKind.CERTIFIABLE:
            object.__setattr__(self, "level", 1)
            object.__setattr__(self, "count", CERTIFIABLE_MIN_COMPETENCES)
        elif self.kind is not RuleKind.MIN_LEVEL_COUNT:
            object.__setattr__(self, "count", None)
        problems = rule_problems(self.kind, self.level, self.count, self.competences)
        if problems:
            raise ValueError("; ".join(problems))

    def describe(self) -> Message:
        """The rule for the staff: « Niveau 1 ou plus dans au moins 5 compétences »."""
        params = {"level": self.level, "count": self.count, "codes": _join(self.competences)}
        return Message(_DESCRIPTIONS[self.kind], params)

    def describe_for_pupil(self) -> Message:
        """The rule for a pupil: « Avoir au moins le niveau 1 dans 5 compétences »."""
        names = _join([f"« {COMPETENCE_BY_CODE[c].name} »" for c in self.competences])
        params = {"level": self.level, "count": self.count, "names": names}
        return Message(_PUPIL_DESCRIPTIONS[self.kind], params)


_DESCRIPTIONS: Mapping[RuleKind, str] = {
    RuleKind.MIN_LEVEL_COUNT: _("Niveau %(level)s ou plus dans au moins %(count)s compétences"),
    RuleKind.EACH_DOMAIN: _("Au moins une compétence de chaque domaine au niveau %(level)s ou "
                            "plus"),
    RuleKind.NAMED: _("Niveau %(level)s ou plus en %(codes)s"),
    RuleKind.ALL: _("Les 16 compétences au niveau %(level)s ou plus"),
    RuleKind.CERTIFIABLE: _("Certifiable : niveau 1 ou plus dans au moins 5 compétences"),
}
_PUPIL_DESCRIPTIONS: Mapping[RuleKind, str] = {
    RuleKind.MIN_LEVEL_COUNT: _("Avoir au moins le niveau %(level)s dans %(count)s "
                                "compétences"),
    RuleKind.EACH_DOMAIN: _("Avoir au moins le niveau %(level)s dans une compétence de chaque "
                            "domaine"),
    RuleKind.NAMED: _("Avoir au moins le niveau %(level)s en %(names)s"),
    RuleKind.ALL: _("Avoir au moins le niveau %(level)s dans les 16 compétences"),
    RuleKind.CERTIFIABLE: _("Pouvoir passer la certification Pix : au moins le niveau 1 dans "
                            "5 compétences"),
}


def _join(items: Sequence[str]) -> str:
    """« 3.4, 4.1 et 5.1 »: a French list."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " " + gettext("et") + " " + items[-1]


# --- what is missing ----------------------------------------------------------------------------


def _plural(count: int, singular: str, plural: str) -> str:
    # French: 0 and 1 are singular. English agrees for 1; both forms are msgids.
    return singular if count <= 1 else plural


def shortfall_messages(kind: RuleKind, params: Mapping[str, object]) -> tuple[str, str]:
    """The staff's and the pupil's French templates for a shortfall of `kind`."""
    count = int(params.get("count") or 0)
    if kind is RuleKind.MIN_LEVEL_COUNT:
        return (_plural(count, _("niveau %(level)s dans %(count)s compétence de plus"),
                        _("niveau %(level)s dans %(count)s compétences de plus")),
                _plural(count, _("le niveau %(level)s dans %(count)s compétence de plus"),
                        _("le niveau %(level)s dans %(count)s compétences de plus")))
    if kind is RuleKind.EACH_DOMAIN:
        return (_("aucune compétence du domaine %(domain)s « %(name)s » au niveau %(level)s"),
                _("le niveau %(level)s dans une compétence du domaine « %(name)s »"))
    if kind is RuleKind.NAMED:
        return _("niveau %(level)s en %(codes)s"), _("le niveau %(level)s en %(names)s")
    if kind is RuleKind.ALL:
        return (_plural(count,
                        _("niveau %(level)s dans %(count)s compétence de plus (%(codes)s)"),
                        _("niveau %(level)s dans %(count)s compétences de plus (%(codes)s)")),
                _plural(count, _("le niveau %(level)s dans %(count)s compétence de plus"),
                        _("le niveau %(level)s dans %(count)s compétences de plus")))
    return (_plural(count,
                    _("pas encore certifiable : niveau 1 dans %(count)s compétence de plus"),
                    _("pas encore certifiable : niveau 1 dans %(count)s compétences de plus")),
            _plural(count,
                    _("le niveau 1 dans %(count)s compétence de plus pour passer la "
                      "certification"),
                    _("le niveau 1 dans %(count)s compétences de plus pour passer la "
                      "certification")))


@dataclass(frozen=True)
class Shortfall:
    """What a pupil lacks to meet one rule. `competences`: the competences below the rule's
    level that would close it (any of them for a count, each of them otherwise). Stored as
    its kind and parameters only: the wording follows from them."""

    kind: RuleKind
    params: Mapping[str, object]
    competences: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        return shortfall_messages(self.kind, self.params)[0]

    @property
    def pupil_message(self) -> str:
        return shortfall_messages(self.kind, self.params)[1]

    @property
    def text(self) -> str:
        return Message(self.message, self.params).text

    @property
    def pupil_text(self) -> str:
        return Message(self.pupil_message, self.params).text

    def as_json(self) -> dict:
        return {"kind": str(self.kind), "params": dict(self.params),
                "competences": list(self.competences)}

    @classmethod
    def from_json(cls, data: Mapping) -> Shortfall:
        return cls(kind=RuleKind(data["kind"]), params=dict(data.get("params") or {}),
                   competences=tuple(data.get("competences") or ()))


@dataclass(frozen=True)
class Compliance:
    met: bool
    shortfalls: tuple[Shortfall, ...] = ()

    @property
    def missing_competences(self) -> tuple[str, ...]:
        """Every competence named by a shortfall, in CRCN order."""
        named = {code for s in self.shortfalls for code in s.competences}
        return tuple(code for code in COMPETENCE_CODES if code in named)


def _reached(levels: Levels, code: str, level: int) -> bool:
    known = levels.get(code)
    return known is not None and known >= level


def _shortfalls(levels: Levels, rule: RuleSpec) -> list[Shortfall]:
    below = tuple(c for c in COMPETENCE_CODES if not _reached(levels, c, rule.level))
    kind = rule.kind
    if kind is RuleKind.MIN_LEVEL_COUNT:
        need = rule.count - (len(COMPETENCE_CODES) - len(below))
        if need <= 0:
            return []
        return [Shortfall(kind, {"level": rule.level, "count": need}, below)]
    if kind is RuleKind.EACH_DOMAIN:
        result = []
        for domain in DOMAINS:
            codes = tuple(c.code for c in competences_of(domain))
            if not any(_reached(levels, code, rule.level) for code in codes):
                result.append(Shortfall(
                    kind, {"level": rule.level, "domain": domain.code, "name": domain.name},
                    codes))
        return result
    if kind is RuleKind.NAMED:
        missing = tuple(c for c in rule.competences if c in below)
        if not missing:
            return []
        names = _join([f"« {COMPETENCE_BY_CODE[c].name} »" for c in missing])
        return [Shortfall(kind, {"level": rule.level, "codes": _join(missing), "names": names},
                          missing)]
    if kind is RuleKind.ALL:
        if not below:
            return []
        return [Shortfall(kind, {"level": rule.level, "count": len(below),
                                 "codes": ", ".join(below)}, below)]
    # CERTIFIABLE
    need = CERTIFIABLE_MIN_COMPETENCES - certifiable_competences(levels)
    if need <= 0:
        return []
    return [Shortfall(kind, {"count": need},
                      tuple(c for c in COMPETENCE_CODES if not _reached(levels, c, 1)))]


def evaluate(levels: Levels, rules: Iterable[RuleSpec]) -> Compliance:
    """Whether `levels` meet every rule, and what is missing, rule by rule in their order.
    An objective without rules is met."""
    shortfalls = tuple(s for rule in rules for s in _shortfalls(levels, rule))
    return Compliance(met=not shortfalls, shortfalls=shortfalls)


# --- ready-made objectives (domain.md §2, the example of a collège) ------------------------------


@dataclass(frozen=True)
class ObjectiveTemplate:
    grade: str
    name: str  # French, marked for translation
    rules: tuple[RuleSpec, ...]


_FIVE_AND_EACH_DOMAIN = (
    RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=1, count=5),
    RuleSpec(RuleKind.EACH_DOMAIN, level=1),
)
_ALL_AT_ONE = (RuleSpec(RuleKind.ALL, level=1),)
_CERTIFIABLE = (RuleSpec(RuleKind.CERTIFIABLE),)

TEMPLATES: Mapping[str, ObjectiveTemplate] = {
    t.grade: t for t in (
        ObjectiveTemplate("5e", _("Niveau 1 dans 5 compétences, dont une de chaque domaine"),
                          _FIVE_AND_EACH_DOMAIN),
        ObjectiveTemplate("4e", _("Les 16 compétences travaillées au niveau 1"), _ALL_AT_ONE),
        # 3e is both: every competence worked, and a leaving class that is certified.
        ObjectiveTemplate("3e", _("Les 16 compétences au niveau 1, et certifiable"),
                          _ALL_AT_ONE + _CERTIFIABLE),
        ObjectiveTemplate("Tle", _("Certifiable en fin de cycle"), _CERTIFIABLE),
        ObjectiveTemplate("CAP2", _("Certifiable en fin de cycle"), _CERTIFIABLE),
        ObjectiveTemplate("TBP", _("Certifiable en fin de cycle"), _CERTIFIABLE),
    )
}
