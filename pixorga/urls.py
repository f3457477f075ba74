from django.contrib import admin
from django.urls import include, path

from establishments import team_views, views
from establishments.urls import class_patterns, pupil_patterns, team_patterns
from pixorga.health import health

urlpatterns = [
    path("", views.home, name="home"),
    path("etablissement/changer/", views.switch_establishment, name="switch_establishment"),
    path("etablissement/parametres/", views.establishment_settings,
         name="establishment_settings"),
    path("eleves/", include(pupil_patterns)),
    path("classes/", include(class_patterns)),
    path("equipe/", include(team_patterns)),
    path("invitation/<str:token>/", team_views.invitation_accept, name="invitation_accept"),
    path("campagnes/", include("campaigns.urls")),
    path("progression/", include("progression.urls")),
    path("remediation/", include("remediation.urls")),
    path("certification/", include("certification.urls")),
    path("bilans/", include("reports.urls")),
    path("journal/", include("audit.urls")),
    path("donnees-personnelles/", include("privacy.urls")),
    path("traitements/", include("jobs.urls")),
    path("compte/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sante/", health, name="health"),
    path("admin/", admin.site.urls),
]
