"""Signed-link pages of the notification engine (the project includes them under `n/`)."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("p/<str:token>/", views.preferences, name="preferences"),
]
