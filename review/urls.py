from django.contrib.auth.views import LogoutView
from django.urls import path

from review import case_views, queue_views, views

app_name = "review"

# The review UI (review.views): sign-in, the queue at "/", candidate pages and decisions,
# the overview and the audit trail. Every view checks the role itself (review.roles).
urlpatterns = [
    path("", views.queue, name="queue"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("candidates/<int:pk>/start/", views.candidate_start, name="start"),
    path("candidates/<int:pk>/clear/", views.candidate_clear, name="clear"),
    path("candidates/<int:pk>/escalate/", views.candidate_escalate, name="escalate"),
    path("candidates/<int:pk>/approve/", views.candidate_approve, name="approve"),
    path("candidates/<int:pk>/reject/", views.candidate_reject, name="reject"),
    path("candidates/<int:pk>/verifications/", views.verification_request, name="verify"),
    path("candidates/<int:pk>/verifications/<int:verification_id>/outcome/",
         views.verification_outcome, name="verification_outcome"),
    path("candidates/<int:pk>/resolution/", views.resolution_correct, name="resolution"),
    # Cases: a ring decided as one (review.case_views).
    path("cases/", case_views.cases, name="cases"),
    path("cases/open/", case_views.case_open_page, name="case_open"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/escalate/", case_views.case_escalate, name="case_escalate"),
    path("cases/<int:pk>/clear/", case_views.case_clear, name="case_clear"),
    path("cases/<int:pk>/approve/", case_views.case_approve, name="case_approve"),
    path("cases/<int:pk>/reject/", case_views.case_reject, name="case_reject"),
    path("cases/<int:pk>/exclude/", case_views.case_exclude, name="case_exclude"),
    path("cases/<int:pk>/include/", case_views.case_include, name="case_include"),
    path("cases/<int:pk>/assign/", case_views.case_assign_view, name="case_assign"),
    path("cases/<int:pk>/close/", case_views.case_close_view, name="case_close"),
    # The queue's actions (review/queue_views.py).
    path("queue/bulk/", queue_views.queue_bulk, name="queue_bulk"),
    path("candidates/<int:pk>/assign/", queue_views.candidate_assign, name="assign"),
    path("candidates/<int:pk>/review-anyway/", queue_views.candidate_review_anyway,
         name="review_anyway"),
    path("overview/", views.overview, name="overview"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]

