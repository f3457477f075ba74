from django.urls import path

from . import team_views, views

pupil_patterns = (
    [
        path("", views.pupil_list, name="list"),
        path("import/", views.pupil_import, name="import"),
        path("<int:pupil_id>/", views.pupil_detail, name="detail"),
        path(
            "<int:pupil_id>/mot-de-passe/",
            team_views.pupil_password_reset,
            name="password_reset",
        ),
    ],
    "pupils",
)
class_patterns = (
    [
        path("", views.class_list, name="list"),
        path("<int:class_id>/", views.class_detail, name="detail"),
    ],
    "classes",
)
team_patterns = (
    [
        path("", team_views.team, name="list"),
        path("inviter/", team_views.invite, name="invite"),
        path("invitations/<int:invitation_id>/annuler/", team_views.invitation_cancel,
             name="invitation_cancel"),
        path("membres/<int:membership_id>/", team_views.member_edit, name="member_edit"),
        path("membres/<int:membership_id>/retirer/", team_views.member_remove,
             name="member_remove"),
        path("comptes-eleves/", team_views.pupil_accounts, name="pupil_accounts"),
    ],
    "team",
)
