from django.urls import path

from . import import_views, results_views, views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("nouvelle/", views.campaign_create, name="create"),
    path("importer/", views.results_import, name="import"),
    path("importer/<int:job_id>/campagne/", import_views.import_campaign_choice,
         name="import_campaign_choice"),
    path("importer/<int:job_id>/confirmer/", results_views.import_confirm,
         name="import_confirm"),
    path("rapprochement/", results_views.matching_queue, name="matching"),
    path("rapprochement/<int:participant_id>/", results_views.participant_match,
         name="participant_match"),
    path("rapprochement/<int:participant_id>/decider/", results_views.participant_decide,
         name="participant_decide"),
    path("niveaux/", results_views.grade_levels, name="grade_levels"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/modifier/", views.campaign_edit, name="edit"),
    path("<int:campaign_id>/archiver/", views.campaign_archive, name="archive"),
    path("<int:campaign_id>/desarchiver/", views.campaign_unarchive, name="unarchive"),
    path("<int:campaign_id>/importer/", views.campaign_upload, name="upload"),
    path("<int:campaign_id>/fiches/", views.campaign_slips, name="slips"),
    path("<int:campaign_id>/resultats/", results_views.campaign_results, name="results"),
    path("<int:campaign_id>/resultats.csv", results_views.campaign_results_csv,
         name="results_csv"),
    path("<int:campaign_id>/resultats.xlsx", results_views.campaign_results_xlsx,
         name="results_xlsx"),
    path("<int:campaign_id>/participants/", results_views.campaign_participants,
         name="participants"),
    path("<int:campaign_id>/participants.csv", results_views.campaign_participants_csv,
         name="participants_csv"),
    path("<int:campaign_id>/participants.xlsx", results_views.campaign_participants_xlsx,
         name="participants_xlsx"),
]
