"""Remediation pages: who needs help, proposed groups and their editing, the effect after the
next campaign, the direction's indicators (sessions are in session_views). Thin: access, form,
service, response."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from establishments.access import Role, roles_required, rupn_required
from establishments.models import Pupil, SchoolClass
from pix.grades import grade_label
from pix.numbers import ratio_percent
from pix.referential import COMPETENCE_BY_CODE
from progression.selectors import year_grades

from . import charts, selectors, services, workshop_selectors
from .access import (
    can_edit_group,
    can_take_attendance,
    get_group_for_user,
    get_member_for_user,
    get_period_effect_for_user,
    get_period_for_user,
    indicators_required,
    leaders_required,
)
from .forms import (
    GroupForm,
    LeaderForm,
    NeedsFilterForm,
    PeriodForm,
    PeriodProposeForm,
    default_period_dates,
    member_label,
    source_from,
)
from .models import Attendance, Group, Period

PAGE_SIZE = 50


def _grade_name(code: str) -> str:
    return _(grade_label(code)) if code else ""


def _first_error(error: ValidationError) -> str:
    return " ".join(error.messages)


def _year_classes(membership):
    year = membership.establishment.current_year
    return SchoolClass.objects.for_membership(membership).filter(school_year=year)


# --- home ----------------------------------------------------------------------------------------


@roles_required(Role.RUPN, Role.TEACHER, Role.DIRECTION, Role.PUPIL)
def home(request) -> HttpResponse:
    membership = request.membership
    if membership.role == Role.DIRECTION:
        return redirect("remediation:indicators")
    if membership.role == Role.PUPIL:
        pupil = Pupil.objects.filter(user=request.user,
                                     establishment=membership.establishment).first()
        sessions = selectors.pupil_sessions(pupil) if pupil else []
        return render(request, "remediation/home_pupil.html", {"sessions": sessions})
    year = membership.establishment.current_year
    periods = list(
        Period.objects.for_membership(membership).filter(school_year=year)
        .select_related("source_campaign")
    )
    counts = _period_counts(periods)
    sessions = selectors.session_list(membership)[:12]
    conflicts = selectors.session_conflicts(membership.establishment, sessions)
    return render(request, "remediation/home.html", {
        "periods": [(p, counts.get(p.pk, {})) for p in periods],
        "sessions": [(s, conflicts.get(f"session:{s.pk}", [])) for s in sessions],
        "workshops": workshop_selectors.workshop_list(membership)[:5],
    })


def _period_counts(periods: list[Period]) -> dict[int, dict]:
    rows = (
        Group.objects.filter(period__in=periods).values("period_id")
        .annotate(groups=Count("pk", distinct=True),
                  validated=Count("pk", filter=Q(status=Group.Status.VALIDATED), distinct=True),
                  pupils=Count("members", distinct=True))
    )
    return {row["period_id"]: row for row in rows}


# --- who needs help ------------------------------------------------------------------------------


@leaders_required
def needs(request) -> HttpResponse:
    membership = request.membership
    classes = _year_classes(membership)
    grades = year_grades(classes)
    grade = request.GET.get("niveau") if request.GET.get("niveau") in grades else None
    campaigns = selectors.source_campaigns(membership, grade)
    source = source_from(request.GET.get("source"), campaigns) or selectors.default_source(
        campaigns, grade)
    params = request.GET.copy()
    params["source"] = source.key  # the select shows the results actually read
    form = NeedsFilterForm(params, grades=grades, classes=classes, campaigns=campaigns)
    data = form.cleaned_data if form.is_valid() else {}
    threshold = None
    if data.get("seuil") is not None:
        threshold = float(data["seuil"]) / 100 if source.gives_mastery else float(data["seuil"])
    report = selectors.needs_report(
        membership, grade=grade, school_class=data.get("classe"),
        competence=data.get("competence") or None, source=source, threshold=threshold,
        reason=data.get("motif") or None,
    )
    page = Paginator(report.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown_threshold = report.threshold * 100 if source.gives_mastery else report.threshold
    competences = [
        (COMPETENCE_BY_CODE[code], report.below_by_code[code], report.measured_by_code[code])
        for code in report.codes
    ]
    return render(request, "remediation/needs.html", {
        "form": form, "report": report, "page": page, "query": query.urlencode(),
        "grade": grade, "grade_label": _grade_name(grade or ""), "source": source,
        "threshold_text": f"{shown_threshold:g}", "competences": competences,
        "can_propose": membership.role == Role.RUPN and grade is not None,
        "codes": report.codes,
    })


# --- periods -------------------------------------------------------------------------------------


@rupn_required
def period_propose(request) -> HttpResponse:
    membership = request.membership
    establishment = membership.establishment
    classes = SchoolClass.objects.filter(establishment=establishment,
                                         school_year=establishment.current_year)
    grades = year_grades(classes)
    grade = (request.POST.get("grade") or request.GET.get("niveau") or
             (grades[0] if grades else ""))
    campaigns = selectors.source_campaigns(membership, grade)
    if request.method == "POST":
        form = PeriodProposeForm(request.POST, grades=grades, campaigns=campaigns)
    else:
        source = source_from(request.GET.get("source"), campaigns) or selectors.default_source(
            campaigns, grade)
        today = timezone.localdate()
        starts_on, ends_on = default_period_dates(today)
        seuil = request.GET.get("seuil")
        form = PeriodProposeForm(initial={
            "grade": grade, "source": source.key,
            "threshold": seuil or (50 if source.gives_mastery else 1),
            "competences": [request.GET["competence"]] if request.GET.get("competence") in
            COMPETENCE_BY_CODE else [],
            "name": _("Remédiation %(grade)s — %(month)s") % {
                "grade": grade, "month": _date_month(today)},
            "starts_on": starts_on, "ends_on": ends_on,
        }, grades=grades, campaigns=campaigns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = services.period_propose(
                establishment=establishment, by=request.user, grade=data["grade"],
                name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                source=data["source_object"], threshold=data["threshold_value"],
                max_group_size=data["max_group_size"], codes=data["competences"],
            )
        except ValidationError as error:
            messages.error(request, _first_error(error))
        else:
            count = period.groups.count()
            if count:
                messages.success(request, _("%(n)s groupes proposés. Déplacez, scindez ou "
                                            "fusionnez-les, choisissez qui les anime, puis "
                                            "validez-les.") % {"n": count})
            else:
                messages.info(request, _("Aucun élève n’est sous le seuil : aucun groupe "
                                         "proposé."))
            return redirect("remediation:period", period.pk)
    return render(request, "remediation/period_propose.html", {"form": form})


def _date_month(day) -> str:
    return date_format(day, "F Y")


@leaders_required
def period_detail(request, period_id: int) -> HttpResponse:
    membership = request.membership
    period = get_period_for_user(request, period_id)
    is_rupn = membership.role == Role.RUPN
    groups = selectors.period_groups(period, None if is_rupn else membership)
    placed = {m.pupil_id for g in groups for m in g.members.all()}
    codes = selectors.class_codes(placed, period.school_year_id)
    # one list for every group's select: a form per group would query the leaders each time
    leaders = [(m.pk, member_label(m)) for m in selectors.staff_leaders(period.establishment)]
    editable = [g for g in groups if can_edit_group(membership, g)]
    threshold = period.threshold_value()
    cards = []
    for group in groups:
        members = [(m, codes.get(m.pupil_id, ""), _values(m, group.competences, threshold))
                   for m in group.members.all()]
        cards.append({
            "group": group, "members": members, "size": len(members),
            "editable": group in editable and not group.is_validated,
            "can_edit": group in editable,
            "targets": [g for g in editable if g.pk != group.pk and not g.is_validated],
            "competences": [COMPETENCE_BY_CODE[c] for c in group.competences
                            if c in COMPETENCE_BY_CODE],
        })
    unplaced = selectors.unplaced_pupils(period, placed) if is_rupn else []
    drafts = [g for g in groups if not g.is_validated]
    return render(request, "remediation/period_detail.html", {
        "period": period, "cards": cards, "unplaced": unplaced, "is_rupn": is_rupn,
        "drafts": drafts, "grade_label": _grade_name(period.grade), "leaders": leaders,
        "threshold": (period.mastery_threshold if period.gives_mastery
                      else period.level_threshold),
        "source_codes": selectors.Source(period.source_campaign).codes(),
    })


def _values(member, codes, threshold: float) -> list[tuple[str, float, bool]]:
    """A pupil's values on the group's competences, each with whether it is below the
    threshold."""
    return [(c, member.values[c], member.values[c] < threshold) for c in codes
            if member.values.get(c) is not None]


@rupn_required
def period_edit(request, period_id: int) -> HttpResponse:
    period = get_period_for_user(request, period_id, manage=True)
    form = PeriodForm(request.POST or None, initial={
        "name": period.name, "starts_on": period.starts_on, "ends_on": period.ends_on})
    if request.method == "POST" and form.is_valid():
        services.period_update(period=period, **form.cleaned_data)
        messages.success(request, _("Période enregistrée."))
        return redirect("remediation:period", period.pk)
    return render(request, "remediation/period_form.html", {"form": form, "period": period})


@require_POST
@rupn_required
def period_delete(request, period_id: int) -> HttpResponse:
    period = get_period_for_user(request, period_id, manage=True)
    services.period_delete(period=period)
    messages.success(request, _("La période, ses groupes et leurs séances sont supprimés."))
    return redirect("remediation:home")


@require_POST
@rupn_required
def period_validate(request, period_id: int) -> HttpResponse:
    period = get_period_for_user(request, period_id, manage=True)
    count = services.period_validate_all(period=period, by=request.user)
    messages.success(request, _("%(n)s groupes validés : vous pouvez planifier leurs séances.")
                     % {"n": count})
    return redirect("remediation:period", period.pk)


# --- groups --------------------------------------------------------------------------------------


@leaders_required
def group_detail(request, group_id: int) -> HttpResponse:
    membership = request.membership
    group = get_group_for_user(request, group_id)
    members = list(group.members.select_related("pupil").order_by(
        "pupil__last_name", "pupil__first_name", "pk"))
    codes = selectors.class_codes([m.pupil_id for m in members], group.period.school_year_id)
    sessions = list(
        group.sessions.select_related("room", "leader__user").order_by("starts_at", "pk")
    )
    marks = {
        row["session_id"]: row for row in
        Attendance.objects.filter(session__group=group).values("session_id")
        .annotate(present=Count("pk", filter=Q(present=True)), marked=Count("pk"))
    }
    conflicts = selectors.session_conflicts(group.period.establishment, sessions)
    return render(request, "remediation/group_detail.html", {
        "group": group, "period": group.period,
        "members": [(m, codes.get(m.pupil_id, ""),
                     _values(m, group.competences, group.period.threshold_value()))
                    for m in members],
        "sessions": [(s, marks.get(s.pk, {}), conflicts.get(f"session:{s.pk}", []))
                     for s in sessions],
        "competences": [COMPETENCE_BY_CODE[c] for c in group.competences
                        if c in COMPETENCE_BY_CODE],
        "can_edit": can_edit_group(membership, group),
        "can_attend": {s.pk for s in sessions if can_take_attendance(membership, s)},
        "now": timezone.now(),
    })


@leaders_required
def group_edit(request, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id, edit=True)
    leaders = selectors.staff_leaders(group.period.establishment)
    form = GroupForm(request.POST or None, leaders=leaders, initial={
        "name": group.name, "leader": group.leader_id, "competences": group.competences,
        "parcours": group.parcours, "notes": group.notes,
    })
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=group, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Groupe enregistré."))
            return redirect("remediation:period", group.period_id)
    return render(request, "remediation/group_form.html", {"form": form, "group": group})


def _back_to_period(group: Group) -> HttpResponse:
    return redirect(f"{_period_url(group.period_id)}#groupe-{group.pk}")


def _period_url(period_id: int) -> str:
    return reverse("remediation:period", args=[period_id])


@require_POST
@leaders_required
def group_leader(request, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id, edit=True)
    form = LeaderForm(request.POST, leaders=selectors.staff_leaders(group.period.establishment),
                      prefix=f"g{group.pk}")
    if form.is_valid():
        services.group_set_leader(group=group, leader=form.cleaned_data["leader"])
        messages.success(request, _("Animateur du groupe « %(name)s » enregistré.")
                         % {"name": group.name})
    else:
        messages.error(request, _("Choisissez une personne de la liste."))
    return _back_to_period(group)


def _group_action(request, group: Group, action) -> HttpResponse:
    try:
        message = action()
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, message)
    return _back_to_period(group)


@require_POST
@leaders_required
def group_validate(request, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id, edit=True)

    def act():
        services.group_validate(group=group, by=request.user)
        return _("Groupe « %(name)s » validé.") % {"name": group.name}

    return _group_action(request, group, act)


@require_POST
@leaders_required
def group_reopen(request, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id, edit=True)

    def act():
        services.group_reopen(group=group)
        return _("Groupe « %(name)s » rouvert : vous pouvez le modifier.") % {"name": group.name}

    return _group_action(request, group, act)


@require_POST
@rupn_required
def group_delete(request, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id, edit=True)

    def act():
        services.group_delete(group=group)
        return _("Groupe supprimé ; ses élèves sont de nouveau sans groupe.")

    return _group_action(request, group, act)


@require_POST
@leaders_required
def group_split(request, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id, edit=True)
    chosen = [int(v) for v in request.POST.getlist("pupils") if v.isdigit()]

    def act():
        new = services.group_split(group=group, pupil_ids=chosen)
        return _("Groupe scindé : « %(name)s » créé.") % {"name": new.name}

    return _group_action(request, group, act)


@require_POST
@leaders_required
def group_merge(request, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id, edit=True)
    other_id = request.POST.get("other", "")
    other = get_group_for_user(request, int(other_id), edit=True) if other_id.isdigit() else None

    def act():
        if other is None:
            raise ValidationError(_("Choisissez le groupe à fusionner."))
        services.group_merge(group=group, other=other)
        size = group.members.count()
        message = _("Groupes fusionnés.")
        if size > group.period.max_group_size:
            message += " " + _("Attention : %(n)s élèves, au-delà des %(max)s prévus.") % {
                "n": size, "max": group.period.max_group_size}
        return message

    return _group_action(request, group, act)


@require_POST
@leaders_required
def member_move(request, member_id: int) -> HttpResponse:
    member = get_member_for_user(request, member_id)
    target_id = request.POST.get("target", "")
    target = None
    if target_id.isdigit():
        target = get_group_for_user(request, int(target_id), edit=True)
    elif target_id != "none":
        messages.error(request, _("Choisissez un groupe."))
        return _back_to_period(member.group)
    group = member.group

    def act():
        services.member_move(member=member, target=target)
        if target is None:
            return _("%(pupil)s est retiré du groupe.") % {"pupil": member.pupil}
        return _("%(pupil)s rejoint « %(group)s ».") % {"pupil": member.pupil,
                                                        "group": target.name}

    return _group_action(request, group, act)


@require_POST
@rupn_required
def period_add(request, period_id: int) -> HttpResponse:
    """Adds a pupil without a group to one of the period's proposed groups."""
    period = get_period_for_user(request, period_id, manage=True)
    group_id, pupil_id = request.POST.get("group", ""), request.POST.get("pupil", "")
    if not (group_id.isdigit() and pupil_id.isdigit()):
        messages.error(request, _("Choisissez un groupe."))
        return redirect("remediation:period", period.pk)
    group = get_object_or_404(Group.objects.filter(period=period), pk=group_id)
    pupil = get_object_or_404(Pupil.objects.filter(establishment_id=period.establishment_id),
                              pk=pupil_id)

    def act():
        source = selectors.Source(period.source_campaign)
        if source.campaign is not None:
            values = selectors.campaign_values(source.campaign, [pupil.pk])
        else:
            values = selectors.current_level_values(period.establishment,
                                                    period.school_year.start_year, [pupil.pk])
        services.member_add(group=group, pupil=pupil,
                            values=services.kept_values(values.get(pupil.pk, {}),
                                                        source.codes()))
        return _("%(pupil)s rejoint « %(group)s ».") % {"pupil": pupil, "group": group.name}

    return _group_action(request, group, act)


# --- the effect ----------------------------------------------------------------------------------


def _effect_figures(figures, mastery: bool) -> dict:
    scale = 100 if mastery else 1

    def shown(value):
        return None if value is None else value * scale

    return {"pairs": figures.pairs, "pupils": figures.pupils,
            "before": shown(figures.mean_before), "after": shown(figures.mean_after),
            "change": shown(figures.mean_change),
            "improved": (None if figures.share_improved is None
                         else ratio_percent(figures.improved, figures.pairs))}


@roles_required(Role.RUPN, Role.TEACHER, Role.DIRECTION)
def effect(request, period_id: int) -> HttpResponse:
    membership = request.membership
    period = get_period_effect_for_user(request, period_id)
    result = selectors.period_effect(period)
    mastery = period.gives_mastery
    visible = None
    if membership.role == Role.TEACHER:
        visible = set(Group.objects.for_membership(membership).filter(period=period)
                      .values_list("pk", flat=True))
    rows = []
    bars = []
    for row in result.rows:
        if visible is not None and row.group.pk not in visible:
            continue
        item = {"row": row, "group": row.group}
        if row.effect is not None:
            item["attended"] = _effect_figures(row.effect.attended, mastery)
            item["others"] = _effect_figures(row.effect.others, mastery)
            item["comparable"] = _effect_figures(row.effect.comparable, mastery)
            item["by_competence"] = [
                {"competence": COMPETENCE_BY_CODE[c.code],
                 "attended": _effect_figures(c.attended, mastery),
                 "others": _effect_figures(c.others, mastery),
                 "comparable": _effect_figures(c.comparable, mastery)}
                for c in row.effect.by_competence() if c.code in COMPETENCE_BY_CODE
            ]
            if row.effect.measured:
                bars.append(charts.EffectBar(
                    row.group.name, row.effect.attended.mean_before,
                    row.effect.attended.mean_after, row.effect.others.mean_before,
                    row.effect.others.mean_after, short=" · ".join(row.group.competences)))
        rows.append(item)
    overall = {"attended": _effect_figures(result.overall.attended, mastery),
               "others": _effect_figures(result.overall.others, mastery),
               "comparable": _effect_figures(result.overall.comparable, mastery)}
    chart = ""
    if bars:
        if visible is None and len(bars) > 1:
            bars.insert(0, charts.EffectBar(
                _("Ensemble"), result.overall.attended.mean_before,
                result.overall.attended.mean_after, result.overall.others.mean_before,
                result.overall.others.mean_after, short=_("Ensemble")))
        unit = _("maîtrise moyenne") if mastery else _("niveau moyen")
        chart = charts.effect_chart(bars, mastery=mastery, labels={
            "attended_before": _("Présents, avant"), "attended_after": _("Présents, après"),
            "others_before": _("Autres élèves, avant"),
            "others_after": _("Autres élèves, après"), "axis": unit.capitalize(),
        })
    return render(request, "remediation/effect.html", {
        "period": period, "result": result, "rows": rows, "overall": overall, "chart": chart,
        "mastery": mastery, "show_overall": visible is None,
        "grade_label": _grade_name(period.grade), "charts": bool(chart),
        "max_level": settings.PIX_MAX_LEVEL,
    })


# --- indicators ----------------------------------------------------------------------------------


@indicators_required
def indicators(request) -> HttpResponse:
    establishment = request.membership.establishment
    year = establishment.current_year
    periods = list(Period.objects.filter(establishment=establishment, school_year=year)
                   .order_by("-starts_on", "pk"))
    return render(request, "remediation/indicators.html", {
        "figures": selectors.remediation_indicators(establishment),
        "pix_edu": workshop_selectors.pix_edu_indicators(establishment),
        "periods": periods,
    })

