from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs.models import Job

from . import selectors, services
from .access import (
    Role,
    get_class_for_user,
    get_pupil_for_user,
    roles_required,
    rupn_required,
    staff_required,
)
from .forms import EstablishmentForm, PupilFilterForm, PupilImportForm
from .middleware import SESSION_KEY
from .models import Enrolment, Membership, Pupil, SchoolClass

PAGE_SIZE = 50


@login_required
def home(request) -> HttpResponse:
    membership = request.membership
    if membership is None:
        return render(request, "establishments/home_no_establishment.html", status=200)
    establishment = membership.establishment
    if membership.role == Role.PUPIL:
        pupil = Pupil.objects.filter(user=request.user, establishment=establishment).first()
        enrolment = (
            Enrolment.objects.filter(pupil=pupil, school_year=establishment.current_year)
            .select_related("school_class")
            .first()
            if pupil
            else None
        )
        return render(
            request, "establishments/home_pupil.html", {"pupil": pupil, "enrolment": enrolment}
        )
    if membership.role == Role.TEACHER:
        classes = selectors.classes_with_counts(
            SchoolClass.objects.for_membership(membership).filter(
                school_year=establishment.current_year
            )
        )
        return render(request, "establishments/home_teacher.html", {"classes": classes})
    overview = selectors.establishment_overview(establishment)
    template = (
        "establishments/home_rupn.html"
        if membership.role == Role.RUPN
        else "establishments/home_direction.html"
    )
    return render(request, template, {"overview": overview})


@require_POST
@login_required
def switch_establishment(request) -> HttpResponse:
    establishment_id = request.POST.get("id", "")
    if not establishment_id.isdigit():  # a forged value is a 404, not a server error
        raise Http404
    target = get_object_or_404(
        Membership.objects.filter(user=request.user).select_related("establishment"),
        establishment_id=establishment_id,
    )
    request.session[SESSION_KEY] = target.establishment_id
    messages.success(request, _("Vous travaillez maintenant sur %(name)s.")
                     % {"name": target.establishment.name})
    return redirect("home")


@rupn_required
def establishment_settings(request) -> HttpResponse:
    establishment = request.membership.establishment
    form = EstablishmentForm(request.POST or None, instance=establishment)
    if request.method == "POST" and form.is_valid():
        services.establishment_update(establishment=establishment, **form.cleaned_data)
        messages.success(request, _("Paramètres enregistrés."))
        return redirect("establishment_settings")
    return render(request, "establishments/settings.html", {"form": form})


# --- classes and pupils -----------------------------------------------------------------------


@staff_required
def class_list(request) -> HttpResponse:
    establishment = request.membership.establishment
    classes = selectors.classes_with_counts(
        SchoolClass.objects.for_membership(request.membership).filter(
            school_year=establishment.current_year
        )
    )
    return render(request, "establishments/class_list.html", {"classes": classes})


@staff_required
def class_detail(request, class_id: int) -> HttpResponse:
    school_class = get_class_for_user(request, class_id)
    enrolments = (
        school_class.enrolments.select_related("pupil", "pupil__user")
        .order_by("left_on", "pupil__last_name", "pupil__first_name")
    )
    teachers = school_class.teachers.select_related("user")
    return render(
        request,
        "establishments/class_detail.html",
        {"school_class": school_class, "enrolments": enrolments, "teachers": teachers},
    )


@staff_required
def pupil_list(request) -> HttpResponse:
    membership = request.membership
    year = membership.establishment.current_year
    classes = SchoolClass.objects.for_membership(membership).filter(school_year=year)
    form = PupilFilterForm(request.GET or None, classes=classes)
    pupils = Pupil.objects.for_membership(membership).with_class_of(year)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            pupils = selectors.pupil_search(pupils, data["q"])
        if data["school_class"]:
            pupils = pupils.filter(class_id=data["school_class"].pk)
        if not data["left"]:
            pupils = pupils.filter(class_id__isnull=False, left_on__isnull=True)
    else:
        pupils = pupils.filter(class_id__isnull=False, left_on__isnull=True)
    page = Paginator(pupils.order_by("last_name", "first_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "establishments/pupil_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@roles_required(Role.RUPN, Role.DIRECTION, Role.TEACHER, Role.PUPIL)
def pupil_detail(request, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pupil_id)
    enrolments = pupil.enrolments.select_related("school_class", "school_year").order_by(
        "-school_year__start_year"
    )
    return render(
        request, "establishments/pupil_detail.html", {"pupil": pupil, "enrolments": enrolments}
    )


# --- pupil base import ------------------------------------------------------------------------


@rupn_required
def pupil_import(request) -> HttpResponse:
    establishment = request.membership.establishment
    form = PupilImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.pupil_import_start(
            establishment=establishment,
            by=request.user,
            filename=upload.name,
            data=upload.read(),
        )
        return redirect("jobs:detail", job.pk)
    jobs = Job.objects.filter(establishment=establishment, kind=Job.Kind.PUPIL_IMPORT).defer(
        "payload"
    )[:10]
    return render(request, "establishments/pupil_import.html", {"form": form, "jobs": jobs})
