"""Who may see and act on campaigns and participants (domain.md §3).

Visibility is written once, in `Campaign.objects.for_membership`: another establishment's
campaign, or one a teacher has no link with, answers 404. A role that sees the campaign but may
not act on it (direction, a teacher who does not own it) answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from establishments.access import Role, roles_required
from establishments.models import Membership

from .models import Campaign, Participant, taught_class_codes

# Campaigns are created in Pix Orga by the RUPN or any teacher; the direction follows them.
campaign_creators_required = roles_required(Role.RUPN, Role.TEACHER)


def can_manage(membership: Membership | None, campaign: Campaign) -> bool:
    """Edit, archive, import results: the RUPN, or the teacher who owns the campaign."""
    if membership is None or membership.establishment_id != campaign.establishment_id:
        return False
    if membership.role == Role.RUPN:
        return True
    return membership.role == Role.TEACHER and campaign.owner_id == membership.user_id


def sees_every_class(membership: Membership, campaign: Campaign) -> bool:
    """RUPN, direction and the owner see every class's results; other teachers their own."""
    return membership.sees_whole_establishment or campaign.owner_id == membership.user_id


def visible_divisions(membership: Membership, campaign: Campaign) -> list[str] | None:
    """The class codes (as Pix exports give them) whose results `membership` may read in
    `campaign`; None means every class and the whole establishment."""
    if sees_every_class(membership, campaign):
        return None
    return taught_class_codes(membership, campaign.school_year)


def get_campaign_for_user(request, campaign_id: int, *, manage: bool = False) -> Campaign:
    membership = request.membership
    if membership is None or not membership.is_staff_member:
        # Pupils reach their results through their own page, never through campaign pages.
        raise PermissionDenied
    campaign = get_object_or_404(
        Campaign.objects.for_membership(membership).select_related("school_year", "owner"),
        pk=campaign_id,
    )
    if manage and not can_manage(membership, campaign):
        raise PermissionDenied
    return campaign


def get_participant_for_user(request, participant_id: int) -> Participant:
    """A participant to match to a pupil: the RUPN's work, within their establishment."""
    membership = request.membership
    if membership is None or not membership.can_administer:
        raise PermissionDenied
    return get_object_or_404(
        Participant.objects.filter(
            campaign__establishment_id=membership.establishment_id
        ).select_related("campaign", "campaign__school_year", "pupil"),
        pk=participant_id,
    )
