"""The second step of importing a campaign export that does not name its campaign.

Files of 2020-2021 have no "Code" column: the import stops (nothing written) and the job page
links here, where the person picks the campaign among the establishment's, or records it with
its code, name, kind and school year; only then is the campaign created and the stored file
imported into it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from establishments.access import Role
from jobs.models import Job
from jobs.services import JobNotConfirmable, JobNotRelaunchable

from . import services
from .access import campaign_creators_required
from .forms import CampaignChoiceForm
from .models import Campaign


def _campaigns(membership):
    """The campaigns this person may import into: all for the RUPN, a teacher's own."""
    campaigns = Campaign.objects.filter(establishment_id=membership.establishment_id)
    if membership.role != Role.RUPN:
        campaigns = campaigns.filter(owner_id=membership.user_id)
    return campaigns.order_by("-school_year__start_year", "name")


@campaign_creators_required
def import_campaign_choice(request, job_id: int) -> HttpResponse:
    membership = request.membership
    job = get_object_or_404(
        Job.objects.for_membership(membership).defer("payload"), pk=job_id,
        kind=Job.Kind.CAMPAIGN_IMPORT,
    )
    if job.status != Job.Status.FAILED or not job.params.get("needs_campaign"):
        messages.info(request, _("Cet import n’attend pas qu’on lui indique sa campagne."))
        return redirect("jobs:detail", job.pk)
    form = CampaignChoiceForm(request.POST or None, campaigns=_campaigns(membership))
    if request.method == "POST" and form.is_valid():
        existing = form.cleaned_data["choice"] == CampaignChoiceForm.EXISTING
        try:
            services.campaign_import_assign(
                job=job, by=request.user,
                campaign=form.cleaned_data["campaign"] if existing else None,
                new=None if existing else form.new_campaign(),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        except (JobNotConfirmable, JobNotRelaunchable):
            messages.error(request, _("Cet import ne peut plus être relancé : son fichier a été "
                                      "supprimé."))
            return redirect("jobs:detail", job.pk)
        else:
            messages.success(request, _("Le fichier est importé dans la campagne indiquée."))
            return redirect("jobs:detail", job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "campaigns/import_campaign_choice.html",
                  {"job": job, "form": form}, status=status)
