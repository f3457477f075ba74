from django.urls import include, path

from . import document_views, planning_views

app_name = "certification"
urlpatterns = [
    # planning
    path("", planning_views.plan, name="plan"),
    path("commencer/", planning_views.plan_start, name="plan_start"),
    path("parametres/", planning_views.plan_settings, name="plan_settings"),
    path("candidats/", planning_views.candidate_list, name="candidates"),
    path("candidats/actualiser/", planning_views.candidates_refresh, name="candidates_refresh"),
    path("candidats/<int:candidate_id>/temps-majore/", planning_views.candidate_extra_time,
         name="candidate_extra_time"),
    path("candidats/<int:candidate_id>/deplacer/", planning_views.candidate_move,
         name="candidate_move"),
    path("salles/", planning_views.rooms, name="rooms"),
    path("salles/<int:room_id>/modifier/", planning_views.room_edit, name="room_edit"),
    path("salles/<int:room_id>/supprimer/", planning_views.room_delete, name="room_delete"),
    path("disponibilites/", planning_views.availabilities, name="availabilities"),
    path("disponibilites/<int:availability_id>/supprimer/",
         planning_views.availability_delete, name="availability_delete"),
    path("proposition/", planning_views.proposal, name="proposal"),
    path("sessions/nouvelle/", planning_views.session_create, name="session_create"),
    path("sessions/<int:session_id>/", planning_views.session_detail, name="session"),
    path("sessions/<int:session_id>/modifier/", planning_views.session_edit,
         name="session_edit"),
    path("sessions/<int:session_id>/supprimer/", planning_views.session_delete,
         name="session_delete"),
    path("sessions/<int:session_id>/ajouter/", planning_views.session_add_candidates,
         name="session_add_candidates"),
    # documents
    path("documents/", document_views.documents, name="documents"),
    path("sessions/<int:session_id>/candidats.csv", document_views.session_candidates_csv,
         name="session_candidates_csv"),
    path("sessions/<int:session_id>/candidats.xlsx", document_views.session_candidates_xlsx,
         name="session_candidates_xlsx"),
    path("sessions/<int:session_id>/emargement.pdf", document_views.attendance_sheet,
         name="attendance_sheet"),
    path("convocations/", document_views.convocations, name="convocations"),
    path("convocations.pdf", document_views.convocations_pdf, name="convocations_pdf"),
    path("surveillances/", document_views.invigilation_schedule, name="invigilation"),
    path("surveillances.pdf", document_views.invigilation_schedule_pdf,
         name="invigilation_pdf"),
    path("ma-convocation/", document_views.my_convocation, name="my_convocation"),
    path("ma-convocation.pdf", document_views.my_convocation_pdf, name="my_convocation_pdf"),
    # results and analysis, written alongside
    path("", include("certification.results_urls")),
]
