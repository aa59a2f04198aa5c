from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("candidates.urls")),
    path("connectors/", include("connectors.urls")),
    path("admin/", admin.site.urls),
    path("", include("review.urls")),
]
