from .models import Membership

SESSION_KEY = "establishment_id"


def current_membership(request) -> Membership | None:
    """The membership the user is acting under: the establishment chosen in the session, or
    their first one. A user may belong to several establishments (cités scolaires)."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user).select_related(
        "establishment", "establishment__current_year", "user"
    )
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(establishment_id=chosen).first()
        if membership is not None:
            return membership
    return memberships.order_by("establishment__name").first()


class CurrentMembershipMiddleware:
    """Sets `request.membership` (None for anonymous users and users of no establishment)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = current_membership(request)
        return self.get_response(request)
