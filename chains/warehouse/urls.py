"""Signed-link pages of the warehouse flow (the project includes them under `w/`)."""

from django.urls import path

from . import views

app_name = "warehouse"

urlpatterns = [
    path("s/<str:token>/", views.stock_check, name="stock_check"),
    path("l/<str:token>/labels.pdf", views.labels, name="labels"),
]
