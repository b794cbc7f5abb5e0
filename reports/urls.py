from django.urls import path

from reports.views import dashboards, period_reports, submissions

app_name = "reports"

urlpatterns = [
    path("", dashboards.dashboard_home, name="home"),
    path("<id:pk>/", dashboards.dashboard, name="dashboard"),
    path("<id:pk>/targets/", dashboards.unit_targets, name="unit_targets"),
    path("<id:pk>/report/", period_reports.period_report, name="period_report"),
    path(
        "<id:pk>/report/submit/",
        submissions.submission_submit,
        name="submission_submit",
    ),
    path("<id:pk>/report/built/", submissions.built_report, name="built_report"),
    path(
        "submissions/<id:pk>/<slug:action>/",
        submissions.submission_decide,
        name="submission_decide",
    ),
    path("<id:pk>/comments/", submissions.comment_list, name="comments"),
    path("<id:pk>/comments/add/", submissions.comment_add, name="comment_add"),
]
