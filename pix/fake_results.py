"""Fake Pix results that look real, for the demo data, the tests and the benchmark.

Everything is drawn from the `random.Random` the caller passes, so the same seed gives the same
results, byte for byte. Figures follow what schools see: older pupils higher, a spread within a
class, some pupils far behind, some harder competences (programming), a few pupils who sent
their profile twice, a few who never shared.
"""

from __future__ import annotations

import math
import random
import string
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from .campaign_format import (
    NOT_SHARED_LEVEL,
    NOT_SHARED_MASTERY,
    CampaignKind,
    CompetenceLevel,
    Mastery,
    ParticipationRow,
    domain_mastery_from,
    mastery_rate,
)
from .campaign_writer import write_assessment_export, write_profiles_collection_export
from .certification_format import (
    CLEA_TYPE,
    CORE_TYPE,
    MERGED_CLASS,
    CertificationRow,
    CertificationStatus,
    ComplementaryStatus,
    parse_results_filename,
    results_filename,
)
from .certification_writer import write_certification_archive, write_certification_results
from .files import BOM, PARIS
from .grades import grade_from_division
from .referential import COMPETENCE_BY_CODE, COMPETENCE_CODES, COMPETENCES
from .rules import (
    BELOW_V3_BANDS,
    DEFAULT_MAX_LEVEL,
    PIX_PER_LEVEL,
    V3_MAX_PIX,
    certifiable_competences,
    is_certifiable,
    level_from_pix,
    v3_global_level,
)

# ============================================================================================
# Campaign exports (profiles collection, assessment, exam)
# ============================================================================================

DEFAULT_ORGANISATION = "Collège Jean Moulin (exemple)"
DEFAULT_START = datetime(2025, 9, 8, 8, 0, tzinfo=PARIS)
# a typical "parcours de rentrée": 8 competences spread over the 5 domains
DEFAULT_PARCOURS_COMPETENCES = ("1.1", "1.2", "2.1", "2.2", "3.1", "4.1", "4.2", "5.1")

# Mean level in a profiles collection, by grade: a 6e pupil starts near level 1, a
# Terminale pupil reaches 3 to 4.
GRADE_MEAN_LEVEL: Mapping[str, float] = {
    "6e": 1.0, "5e": 1.5, "4e": 2.0, "3e": 2.6,
    "2de": 2.9, "1re": 3.2, "Tle": 3.5,
    "CAP1": 2.2, "CAP2": 2.5, "2BP": 2.4, "1BP": 2.7, "TBP": 3.0,
}
UNKNOWN_GRADE_MEAN_LEVEL = 2.0
# Pix above (+) or below (−) a pupil's usual level, by competence: programming and technical
# problems are harder, searching and interacting easier.
COMPETENCE_PIX_OFFSET: Mapping[str, int] = {
    "1.1": 4, "1.2": 1, "1.3": -2, "2.1": 4, "2.2": 2, "2.3": 0, "2.4": 1,
    "3.1": 2, "3.2": 0, "3.3": -1, "3.4": -6, "4.1": 0, "4.2": 1, "4.3": 2,
    "5.1": -2, "5.2": -3,
}
WEAK_PUPIL_RATE = 0.12  # pupils far behind their class: what remediation is for
NOT_MASTERED_WEIGHTS = (0.7, 0.3)  # a skill not mastered: "KO", else "Non testé"


@dataclass(frozen=True)
class Participant:
    """Who takes a campaign: what a Pix export knows of a pupil, and the pupil's grade."""

    last_name: str
    first_name: str
    division: str
    grade: str  # "6e", "5e", "4e", "3e", "2de", "1re", "Tle", "CAP1", "2PRO"…
    external_id: str = ""


def fake_campaign_code(rng: random.Random) -> str:
    """A Pix campaign code: 6 letters and 3 digits, like `QWRTZK482`."""
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
    return letters + "".join(rng.choice(string.digits) for _ in range(3))


def _minute(value: datetime) -> datetime:
    """Pix exports give minutes: fake dates too, so that they survive a round trip."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(PARIS).replace(second=0, microsecond=0)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _common(participant: Participant, line: int) -> dict:
    return {
        "line": line,
        "last_name": participant.last_name,
        "first_name": participant.first_name,
        "division": participant.division,
        "external_id": participant.external_id,
    }


def fake_profiles_collection(
    participants: Sequence[Participant],
    *,
    rng: random.Random,
    shared_at: datetime,
    share_rate: float = 0.9,
    resend_rate: float = 0.05,
    ability: Callable[[Participant], float] | None = None,
    max_level: int = DEFAULT_MAX_LEVEL,
) -> list[ParticipationRow]:
    """Rows of a profiles collection, in the participants' order, lines numbered as written.

    Sendings fall in the three weeks from `shared_at`; a pupil who sent twice (`resend_rate`)
    has an older, lower sending 3 to 20 days before, listed after the newest as Pix does.
    `ability(participant)` gives the pupil's mean level (default: by grade); pix per
    competence spread around it, levels follow from pix (`level_from_pix`).
    """
    rows: list[ParticipationRow] = []
    not_shared = {c.code: NOT_SHARED_LEVEL for c in COMPETENCES}
    cap = max_level * PIX_PER_LEVEL
    # one CompetenceLevel per possible pix value, levels from Pix's rule: 20,000 pupils fast
    by_pix = [CompetenceLevel(level_from_pix(pix, max_level), pix) for pix in range(cap + 1)]
    centres = [(c.code, PIX_PER_LEVEL / 2 + COMPETENCE_PIX_OFFSET[c.code]) for c in COMPETENCES]
    for participant in participants:
        mean = ability(participant) if ability else GRADE_MEAN_LEVEL.get(
            participant.grade, UNKNOWN_GRADE_MEAN_LEVEL)
        level = rng.gauss(mean, 0.7)
        if rng.random() < WEAK_PUPIL_RATE:
            level *= rng.uniform(0.2, 0.6)
        if rng.random() >= share_rate:
            rows.append(ParticipationRow(**_common(participant, len(rows) + 2),
                                         levels=not_shared))
            continue
        base = level * PIX_PER_LEVEL
        levels = {code: by_pix[min(cap, max(0, round(base + centre + rng.gauss(0, 6))))]
                  for code, centre in centres}
        when = _minute(shared_at + timedelta(minutes=rng.randrange(21 * 24 * 60)))
        rows.append(_profile(participant, len(rows) + 2, when, levels))
        if rng.random() < resend_rate:
            earlier = when - timedelta(days=rng.randint(3, 20), minutes=rng.randrange(600))
            older = {code: by_pix[max(0, value.pix - rng.randint(0, 10))]
                     for code, value in levels.items()}
            rows.append(_profile(participant, len(rows) + 2, earlier, older))
    return rows


def _profile(participant: Participant, line: int, shared_at: datetime,
             levels: dict[str, CompetenceLevel]) -> ParticipationRow:
    by_code = {code: value.level for code, value in levels.items()}
    return ParticipationRow(
        **_common(participant, line),
        shared=True,
        shared_at=shared_at,
        pix_total=sum(value.pix for value in levels.values()),
        certifiable=is_certifiable(by_code),
        certifiable_competences=certifiable_competences(by_code),
        levels=levels,
    )


def fake_assessment(
    participants: Sequence[Participant],
    *,
    rng: random.Random,
    competence_codes: Sequence[str],
    started_at: datetime,
    share_rate: float = 0.85,
    stage_count: int | None = 4,
    badge_names: Sequence[str] = (),
    skills_per_competence: int | Mapping[str, int] | None = None,
    skill_names: Sequence[str] = (),
    ability: Callable[[Participant], float] | None = None,
    exam: bool = False,
) -> list[ParticipationRow]:
    """Rows of an assessment (or exam) campaign, in the participants' order.

    The parcours targets `skills_per_competence` skills in each competence (default: 4 to 8,
    drawn once for the campaign, as a parcours fixes them). Mastered ≤ targeted, rates are
    Pix's rounded ratios, domains sum their competences, stages are mastery thresholds
    (`stage_count` equal steps), badge i needs 60 %, 70 %… of mastery. `ability(participant)`
    gives the pupil's mean mastery, 0–1 (default 0.55: a parcours is made for its grade).
    Pupils start in the two weeks from `started_at`; who did not share stopped midway.
    """
    codes = [c.code for c in COMPETENCES if c.code in set(competence_codes)]
    if isinstance(skills_per_competence, Mapping):
        targeted = {code: skills_per_competence[code] for code in codes}
    elif isinstance(skills_per_competence, int):
        targeted = dict.fromkeys(codes, skills_per_competence)
    else:
        targeted = {code: rng.randint(4, 8) for code in codes}
    domains = dict.fromkeys(sorted({COMPETENCE_BY_CODE[c].domain.code for c in codes}),
                            NOT_SHARED_MASTERY)
    rows: list[ParticipationRow] = []
    for participant in participants:
        mean = ability(participant) if ability else 0.55
        rate = _clamp(rng.gauss(mean, 0.18), 0.02, 0.98)
        if rng.random() < WEAK_PUPIL_RATE:
            rate *= rng.uniform(0.2, 0.6)
        started = _minute(started_at + timedelta(minutes=rng.randrange(14 * 24 * 60)))
        common = {**_common(participant, len(rows) + 2), "started_at": started,
                  "stage_count": stage_count}
        if rng.random() >= share_rate:
            progression = None if exam else (Decimal(rng.randint(50, 950)) / 1000).normalize()
            rows.append(ParticipationRow(
                **common, progression=progression,
                competence_mastery=dict.fromkeys(codes, NOT_SHARED_MASTERY),
                domain_mastery=dict(domains),
            ))
            continue
        by_competence = {}
        for code in codes:
            mastered = _binomial(rng, targeted[code], _clamp(rate + rng.gauss(0, 0.15), 0, 1))
            by_competence[code] = Mastery(mastery_rate(mastered, targeted[code]),
                                          targeted[code], mastered)
        mastery = mastery_rate(sum(m.skills_mastered for m in by_competence.values()),
                               sum(targeted.values()))
        rows.append(ParticipationRow(
            **common,
            progression=None if exam else Decimal(1),
            shared=True,
            shared_at=started + timedelta(minutes=rng.randint(25, 90)),
            mastery=mastery,
            competence_mastery=by_competence,
            domain_mastery=domain_mastery_from(by_competence),
            stage=_stage(mastery, stage_count),
            badges={name: mastery >= Decimal("0.6") + Decimal("0.1") * min(i, 3)
                    for i, name in enumerate(badge_names)},
            skills={name: _skill_status(rng, rate) for name in skill_names},
        ))
    return rows


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """Skills mastered out of `n`: a normal approximation, one draw instead of `n`."""
    return round(_clamp(rng.gauss(n * p, math.sqrt(n * p * (1 - p))), 0, n))


def _stage(mastery: Decimal, stage_count: int | None) -> int | None:
    """Stages as equal mastery thresholds: with 4 stages, 20 %, 40 %, 60 %, 80 %."""
    if stage_count is None:
        return None
    return sum(mastery * (stage_count + 1) >= step for step in range(1, stage_count + 1))


def _skill_status(rng: random.Random, rate: float) -> str:
    if rng.random() < rate:
        return "OK"
    return rng.choices(("KO", "Non testé"), weights=NOT_MASTERED_WEIGHTS)[0]


def fake_campaign_export_bytes(
    kind: CampaignKind,
    participants: Sequence[Participant],
    *,
    rng: random.Random,
    code: str,
    name: str,
    organisation: str = DEFAULT_ORGANISATION,
    campaign_id: int | None = None,
    start: datetime = DEFAULT_START,
    parcours: str | None = None,
    competence_codes: Sequence[str] = DEFAULT_PARCOURS_COMPETENCES,
    stage_count: int | None = 4,
    badge_names: Sequence[str] = (),
    skill_names: Sequence[str] = (),
    external_id_label: str | None = None,
    older_format: bool = False,
    without_code: bool = False,
    share_rate: float | None = None,
    resend_rate: float | None = None,
    ability: Callable[[Participant], float] | None = None,
) -> bytes:
    """A whole Pix Orga export file for fake participants, as Pix would write it.

    `start` is when the campaign opens; `parcours` defaults to the campaign's name;
    `competence_codes`, stages, badges and skills only matter to assessments and exams,
    `resend_rate` to profiles collections. Rates left None keep the generators' defaults.
    `older_format` and `without_code` write a file of 2020-2021 (older labels and dates, no
    "Code" column).
    """
    campaign_id = campaign_id if campaign_id is not None else rng.randint(100_000, 999_999)
    if kind is CampaignKind.PROFILES_COLLECTION:
        rates = {"share_rate": share_rate, "resend_rate": resend_rate}
        rows = fake_profiles_collection(
            participants, rng=rng, shared_at=start, ability=ability,
            **{name: rate for name, rate in rates.items() if rate is not None},
        )
        return write_profiles_collection_export(
            organisation=organisation, campaign_id=campaign_id, code=code, name=name,
            participations=rows, external_id_label=external_id_label,
            older_format=older_format, without_code=without_code,
        )
    exam = kind is CampaignKind.EXAM
    rows = fake_assessment(
        participants, rng=rng, competence_codes=competence_codes, started_at=start,
        stage_count=stage_count, badge_names=badge_names, skill_names=skill_names,
        ability=ability, exam=exam,
        **({"share_rate": share_rate} if share_rate is not None else {}),
    )
    return write_assessment_export(
        organisation=organisation, campaign_id=campaign_id, code=code, name=name,
        parcours=parcours if parcours is not None else name, competence_codes=competence_codes,
        participations=rows, stage_count=stage_count, badge_names=badge_names,
        skills=skill_names, external_id_label=external_id_label, exam=exam,
        older_format=older_format, without_code=without_code,
    )


# ============================================================================================
# Certification results
# ============================================================================================

# Among certifications not validated: mostly rejected, a few cancelled or in error.
NOT_VALIDATED_WEIGHTS: Mapping[CertificationStatus, float] = {
    CertificationStatus.REJECTED: 0.8,
    CertificationStatus.CANCELLED: 0.13,
    CertificationStatus.ERROR: 0.07,
}
# A competence below level 1 in the pupil's profile is not tested (`-`) most of the time;
# now and then one of a better profile is left out as well.
UNTESTED_WEAK_COMPETENCE_RATE = 0.7
UNTESTED_COMPETENCE_RATE = 0.06
CANCELLED_COMMENT = ("Un problème technique signalé pendant la session n’a pas permis de "
                     "calculer un score fiable : la certification est annulée.")


class CertificationCandidateLike(Protocol):
    """A pupil as certification results know them (`PupilRow` fits; `grade`, `birth_place`
    and `external_id` are used when present)."""

    last_name: str
    first_name: str
    division: str
    birthdate: date | None


def _certification_mean_level(candidate: CertificationCandidateLike) -> float:
    grade = getattr(candidate, "grade", None) or grade_from_division(candidate.division) or ""
    return GRADE_MEAN_LEVEL.get(grade, UNKNOWN_GRADE_MEAN_LEVEL)


def fake_certification_results(
    candidates: Sequence[CertificationCandidateLike],
    *,
    rng: random.Random,
    taken_on: date,
    session: str,
    validated_rate: float = 0.85,
    newer_layout: bool = False,
    ability: Callable[[CertificationCandidateLike], float] | None = None,
    max_level: int = DEFAULT_MAX_LEVEL,
    centre: str = DEFAULT_ORGANISATION,
    complementary: Mapping[str, float] | None = None,
    complementary_validated_rate: float = 0.7,
) -> list[CertificationRow]:
    """One row per candidate, in their order, lines numbered as in one file.

    `validated_rate` of the certifications are validated; the others mostly rejected, a few
    cancelled or in error (`NOT_VALIDATED_WEIGHTS`). `ability(candidate)` is the mean level
    (default: by grade, as for campaigns). A validated row has per-competence levels from
    pix drawn around that level, `-` for competences not tested, and pix the sum of the
    certified competences' pix: about 8 a level, plus what lies between levels. A rejected
    row has 0 pix and levels 0 (older layout, as the samples) or `-` (newer layout, as Pix
    writes now); cancelled and in error rows have `-` everywhere. The newer layout also
    gives the type, the centre, a score capped at `V3_MAX_PIX` and its v3 global level.
    Certification numbers are 6 digits, never twice from the same `rng`.

    `complementary` ({"CléA": 0.3, "Pix+ Droit Maître": 0.1}, newer layout only) gives each
    complementary certification the share of candidates who take it; its column then reads
    as Pix writes it (`complementary_status`), and a candidate who takes CléA has the type
    "CléA Numérique by Pix". Without it, the draws are those of earlier versions.
    """
    if not 0 <= validated_rate <= 1:
        raise ValueError(f"validated_rate out of 0–1: {validated_rate}")
    if complementary and not newer_layout:
        raise ValueError("complementary certifications exist in the newer layout only")
    numbers = _CERTIFICATION_NUMBERS.setdefault(rng, set())
    statuses, weights = zip(*NOT_VALIDATED_WEIGHTS.items(), strict=True)
    rows: list[CertificationRow] = []
    for candidate in candidates:
        number = _certification_number(rng, numbers)
        mean = ability(candidate) if ability else _certification_mean_level(candidate)
        level = rng.gauss(mean, 0.7)
        if rng.random() < WEAK_PUPIL_RATE:
            level *= rng.uniform(0.2, 0.6)
        if rng.random() < validated_rate:
            status = CertificationStatus.VALIDATED
        else:
            status = rng.choices(statuses, weights=weights)[0]
        pix: int | None = None
        levels: dict[str, int | None] = dict.fromkeys(COMPETENCE_CODES)
        if status is CertificationStatus.VALIDATED:
            pix, levels = _certified_levels(rng, level, max_level)
        elif status is CertificationStatus.REJECTED:
            pix = 0
            if not newer_layout:
                levels = dict.fromkeys(COMPETENCE_CODES, 0)
        global_level, score = "", None
        if newer_layout:
            pix = min(pix, V3_MAX_PIX) if pix is not None else None
            score = pix
            if status is CertificationStatus.VALIDATED:
                band = v3_global_level(pix)
                global_level = "" if band in (None, BELOW_V3_BANDS) else band
        outcomes = {label: complementary_status(
            status, taken=rng.random() < share,
            obtained=rng.random() < complementary_validated_rate)
            for label, share in (complementary or {}).items()}
        took_clea = any(label.startswith("CléA") and outcome.taken
                        for label, outcome in outcomes.items())
        rows.append(CertificationRow(
            line=len(rows) + 2,
            certification_number=number,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            birthdate=candidate.birthdate,
            birth_place=getattr(candidate, "birth_place", "").upper(),
            external_id=getattr(candidate, "external_id", ""),
            status=status,
            status_label=status.layout_label(newer_layout=newer_layout),
            pix=pix,
            competence_levels=levels,
            jury_comment=CANCELLED_COMMENT if status is CertificationStatus.CANCELLED else "",
            session=session,
            taken_on=taken_on,
            certification_type=(CLEA_TYPE if took_clea else CORE_TYPE) if newer_layout else "",
            global_level=global_level,
            score_pix=score,
            centre=centre if newer_layout else "",
            complementary={label: outcome.label for label, outcome in outcomes.items()},
        ))
    return rows


def complementary_status(status: CertificationStatus, *, taken: bool,
                         obtained: bool) -> ComplementaryStatus:
    """What Pix writes in a complementary certification's column (`CertificationResultsCsv
    Values.getComplementaryCertificationStatus`): the whole certification cancelled or in
    error first, then not taken, then obtained or not; none is obtained without the core
    certification validated."""
    if status is CertificationStatus.CANCELLED:
        return ComplementaryStatus.CANCELLED
    if status is CertificationStatus.ERROR:
        return ComplementaryStatus.ERROR
    if not taken:
        return ComplementaryStatus.NOT_TAKEN
    if obtained and status is CertificationStatus.VALIDATED:
        return ComplementaryStatus.VALIDATED
    return ComplementaryStatus.REJECTED


# numbers handed out by each `rng`, so that two classes' files never share one
_CERTIFICATION_NUMBERS: weakref.WeakKeyDictionary[random.Random, set[str]] = (
    weakref.WeakKeyDictionary())


def _certification_number(rng: random.Random, numbers: set[str]) -> str:
    while True:
        number = str(rng.randrange(100_000, 1_000_000))
        if number not in numbers:
            numbers.add(number)
            return number


def _certified_levels(rng: random.Random, level: float,
                      max_level: int) -> tuple[int, dict[str, int | None]]:
    """Pix total and levels of a validated certification: at least one competence certified."""
    cap = max_level * PIX_PER_LEVEL
    base = level * PIX_PER_LEVEL + PIX_PER_LEVEL / 2
    drawn = {code: min(cap, max(0, round(base + COMPETENCE_PIX_OFFSET[code] + rng.gauss(0, 6))))
             for code in COMPETENCE_CODES}
    if max(drawn.values()) < PIX_PER_LEVEL:  # Pix validates no certification without a level
        best = max(drawn, key=lambda code: (drawn[code], code))
        drawn[best] = PIX_PER_LEVEL + rng.randrange(PIX_PER_LEVEL)
    levels: dict[str, int | None] = {}
    total = 0
    for code, pix in drawn.items():
        certified = level_from_pix(pix, max_level)
        if certified == 0:
            levels[code] = None if rng.random() < UNTESTED_WEAK_COMPETENCE_RATE else 0
        elif rng.random() < UNTESTED_COMPETENCE_RATE and total:
            levels[code] = None
        else:
            levels[code] = certified
            total += pix
    return total, levels


def fake_certification_results_by_division(
    candidates: Sequence[CertificationCandidateLike],
    *,
    rng: random.Random,
    taken_on: date,
    first_session: int = 7001,
    validated_rate: float = 0.85,
    newer_layout: bool = False,
    ability: Callable[[CertificationCandidateLike], float] | None = None,
    complementary: Mapping[str, float] | None = None,
) -> dict[str, list[CertificationRow]]:
    """Results of a whole school, class by class (in the order first seen), one session a
    class numbered from `first_session`."""
    by_division: dict[str, list[CertificationCandidateLike]] = {}
    for candidate in candidates:
        by_division.setdefault(candidate.division, []).append(candidate)
    return {
        division: fake_certification_results(
            members, rng=rng, taken_on=taken_on, session=str(first_session + index),
            validated_rate=validated_rate, newer_layout=newer_layout, ability=ability,
            complementary=complementary,
        )
        for index, (division, members) in enumerate(by_division.items())
    }


def fake_certification_files(
    rows_by_division: Mapping[str, Sequence[CertificationRow]],
    *,
    file_date: date,
    newer_layout: bool = False,
) -> dict[str, bytes]:
    """{`YYYYMMDD_resultats_<class>.csv`: the file as Pix writes it} for each class."""
    return {
        results_filename(division, file_date): write_certification_results(
            rows, newer_layout=newer_layout)
        for division, rows in rows_by_division.items()
    }


def fake_certification_zip(files: Mapping[str, bytes], *, file_date: date | None = None) -> bytes:
    """The per-class files in one zip, as a school gathers them; the same files give the same
    bytes."""
    return write_certification_archive(files, when=file_date)


def fake_merged_certification_file(
    files: Mapping[str, bytes], *, blank_line: bool = True, bom: bool = False,
    final_newline: bool = False,
) -> bytes:
    """The per-class files merged into one, as teachers' tools (a spreadsheet macro, a
    script) do: the first file's header, then every file's rows, each ending with a last
    column `Classe` holding the class of its file's name; a blank line between two files
    (`blank_line`), no BOM and no final newline unless asked."""
    lines: list[str] = []
    for index, (name, data) in enumerate(files.items()):
        division = parse_results_filename(name)[0]
        text = data.decode("utf-8").removeprefix(BOM)
        header, *rows = [line for line in text.split("\n") if line]
        if index == 0:
            lines.append(header + ';"' + MERGED_CLASS + '"')
        elif blank_line:
            lines.append("")
        lines.extend(f'{row};"{division}"' for row in rows)
    return ((BOM if bom else "") + "\n".join(lines) + ("\n" if final_newline else "")
            ).encode("utf-8")


def session_results_filename(session: str, starts_at: datetime) -> str:
    """Pix Certif's name for a session's results: `20260505_1430_resultats_session_7001.csv`
    (`SESSION_CERTIFICATION_RESULTS_FILENAME`, date and time of the session)."""
    return f"{starts_at:%Y%m%d_%H%M}_resultats_session_{session}.csv"


def fake_session_results_file(
    candidates: Sequence[CertificationCandidateLike],
    *,
    rng: random.Random,
    session: str,
    starts_at: datetime,
    validated_rate: float = 0.85,
    centre: str = DEFAULT_ORGANISATION,
) -> tuple[str, list[CertificationRow], bytes]:
    """A session's results as Pix Certif gives them: (file name, rows, bytes). Candidates of
    several classes sit together; the file names no class and has the `Centre de
    certification` column (the newer layout)."""
    rows = fake_certification_results(
        candidates, rng=rng, taken_on=starts_at.date(), session=session,
        validated_rate=validated_rate, newer_layout=True, centre=centre,
    )
    return (session_results_filename(session, starts_at), rows,
            write_certification_results(rows, newer_layout=True))
