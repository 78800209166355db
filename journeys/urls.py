"""Signed-link pages of the buyer journeys (the project includes them under `j/`)."""

from django.urls import path

from . import views

app_name = "journeys"

urlpatterns = [
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("interests/<str:token>/", views.interests, name="interests"),
    path("delivery/<str:token>/", views.delivery_survey, name="delivery_survey"),
]
