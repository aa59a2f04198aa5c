from django.urls import path

from connectors import views

app_name = "connectors"

urlpatterns = [
    path("", views.connection_list, name="list"),
    path("new/", views.connection_new, name="new"),
    path("<int:pk>/", views.connection_detail, name="detail"),
    path("<int:pk>/edit/", views.connection_edit, name="edit"),
    path("in/<str:token>/", views.webhook, name="webhook"),
    # Greenhouse Assessment partner API (the URLs given to Greenhouse's partnerships team).
    path("greenhouse/assessment/list_tests", views.assessment_list_tests, name="gh_list_tests"),
    path("greenhouse/assessment/send_test", views.assessment_send_test, name="gh_send_test"),
    path("greenhouse/assessment/test_status", views.assessment_test_status,
         name="gh_test_status"),
    path("greenhouse/assessment/response_error", views.assessment_response_error,
         name="gh_response_error"),
]
