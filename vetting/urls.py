from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/v1/webhooks/", include("webhooks.urls_api")),
    path("api/v1/", include("candidates.urls")),
    path("connectors/", include("connectors.urls")),
    path("admin/", admin.site.urls),
    path("settings/webhooks/", include("webhooks.urls")),
    path("", include("review.urls")),
]
