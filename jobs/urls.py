from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/etat/", views.job_status, name="status"),
    path("<int:job_id>/relancer/", views.job_relaunch, name="relaunch"),
]
