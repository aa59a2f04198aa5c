from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
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
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema", authentication_classes=[],
                                                 permission_classes=[]), name="api-docs"),
]
