from django.urls import path

from . import views

app_name = "progression"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("recalculer/", views.rebuild, name="rebuild"),
    path("objectifs/", views.objectives, name="objectives"),
    path("objectifs/modeles/", views.apply_templates, name="apply_templates"),
    path("objectifs/nouveau/", views.objective_create, name="objective_create"),
    path("objectifs/<int:objective_id>/", views.objective_edit, name="objective_edit"),
    path("objectifs/<int:objective_id>/supprimer/", views.objective_delete,
         name="objective_delete"),
    path("eleves/", views.pupils, name="pupils"),
    path("eleves.csv", views.pupils_csv, name="pupils_csv"),
    path("comparaison/", views.comparison, name="comparison"),
    path("plan/", views.plan, name="plan"),
    path("feuille-de-route/", views.checklist, name="checklist"),
    path("feuille-de-route/<str:step>/", views.checklist_tick, name="checklist_tick"),
    path("annee-suivante/", views.year_open, name="year_open"),
]
