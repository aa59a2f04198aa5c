from django.conf import settings
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from candidates.apis import CandidateViewSet, WhoAmIApi

# Path converters rather than regexes, so that the viewset's lookup_value_converter ("int")
# applies: /candidates/abc/ matches no URL (a 404) instead of reaching the database.
router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_root_view = False
router.register("candidates", CandidateViewSet, basename="candidate")

urlpatterns = [
    path("", include(router.urls)),
    path("whoami/", WhoAmIApi.as_view(), name="whoami"),
    # The schema and its docs page are public: they describe the contract, not data.
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
         name="schema"),
    # The split view serves Swagger UI's init script from ?script instead of inline, so the
    # page keeps the site's Content-Security-Policy, with one addition: Swagger UI draws its
    # icons as data: images (an image cannot run script).
    path("docs/", csp_override({**settings.SECURE_CSP, "img-src": [CSP.SELF, "data:"]})(
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="api/swagger_ui.html", authentication_classes=[],
            permission_classes=[])), name="api-docs"),
]
