"""Root URL configuration: admin, vendor dashboard, signed-link pages, health check, i18n."""

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness probe for load balancers and `make run` smoke checks."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("vendor/", include("marketplace.dashboard.urls")),
    path("n/", include("notifications.urls")),
    path("w/", include("chains.warehouse.urls")),
    path("j/", include("journeys.urls")),
]
