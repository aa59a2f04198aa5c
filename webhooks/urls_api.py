from rest_framework.routers import DefaultRouter

from webhooks.apis import EndpointViewSet

# Path converters, as in candidates/urls.py: /endpoints/abc/ matches no URL (a JSON 404).
router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_root_view = False
router.register("endpoints", EndpointViewSet, basename="webhook-endpoint")

# Mounted at /api/v1/webhooks/ (vetting/urls.py).
urlpatterns = router.urls
