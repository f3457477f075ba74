from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_notice, name="notice"),
    path("eleves/<int:pupil_id>/export/", views.pupil_export, name="pupil_export"),
    path("eleves/<int:pupil_id>/effacer/", views.pupil_erase, name="pupil_erase"),
]
