from .models import Membership


def membership(request) -> dict:
    current = getattr(request, "membership", None)
    others = []
    if current is not None:
        others = list(
            Membership.objects.filter(user_id=current.user_id)
            .exclude(pk=current.pk)
            .select_related("establishment")
        )
    return {"membership": current, "other_memberships": others, "Role": Membership.Role}
