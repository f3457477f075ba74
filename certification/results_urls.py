"""The results pages, included by `certification/urls.py` (namespace "certification")."""

from django.urls import path

from . import results_views

urlpatterns = [
    path("resultats/", results_views.results_list, name="results_list"),
    path("resultats/importer/", results_views.results_import, name="results_import"),
    path("resultats/importer/<int:job_id>/", results_views.results_import_job,
         name="results_import_job"),
    path("resultats/importer/<int:job_id>/confirmer/", results_views.results_import_confirm,
         name="results_import_confirm"),
    path("resultats/rapprochement/", results_views.matching_queue, name="results_queue"),
    path("resultats/<int:result_id>/rapprochement/", results_views.result_match,
         name="result_match"),
    path("resultats/<int:result_id>/decider/", results_views.result_decide,
         name="result_decide"),
    path("analyse/", results_views.analysis, name="analysis"),
]
