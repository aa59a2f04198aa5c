from rest_framework.routers import DefaultRouter

from webhooks.apis import EndpointViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("endpoints", EndpointViewSet, basename="webhook-endpoint")

# Mounted at /api/v1/webhooks/ (vetting/urls.py).
urlpatterns = router.urls
