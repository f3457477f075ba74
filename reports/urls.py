from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.bilans, name="bilans"),
    path("certification/<int:start_year>/bilan.xlsx", views.bilan_xlsx, name="bilan_xlsx"),
    path("certification/<int:start_year>/bilan.pdf", views.bilan_pdf, name="bilan_pdf"),
    path("certification/<int:start_year>/analyse.csv", views.analysis_csv,
         name="analysis_csv"),
    path("telechargements/", views.download_log, name="downloads"),
]
