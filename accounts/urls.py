from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [path("premier-mot-de-passe/", views.first_password, name="first_password")]
