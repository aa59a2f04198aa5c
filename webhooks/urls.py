from django.urls import path

from webhooks import views

app_name = "webhooks"

# Mounted at /settings/webhooks/ (vetting/urls.py); every view is for admins only.
urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("<int:pk>/edit/", views.endpoint_edit, name="edit"),
    path("<int:pk>/rotate/", views.endpoint_rotate, name="rotate"),
    path("<int:pk>/test/", views.endpoint_test, name="test"),
    path("<int:pk>/replay/", views.endpoint_replay, name="replay"),
    path("<int:pk>/deliveries/<int:delivery_id>/resend/", views.delivery_resend,
         name="resend"),
]
