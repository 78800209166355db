"""The project's URLs plus the notification pages under `n/` (as the project will include them)."""

from django.urls import include, path

from sendsay_admin.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("n/", include("notifications.urls")),
]
