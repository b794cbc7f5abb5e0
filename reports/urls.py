from django.urls import path

from reports.views import dashboards, period_reports, submissions

app_name = "reports"

urlpatterns = [
    path("", dashboards.dashboard_home, name="home"),
    path("<int:pk>/", dashboards.dashboard, name="dashboard"),
    path("<int:pk>/targets/", dashboards.unit_targets, name="unit_targets"),
    path("<int:pk>/report/", period_reports.period_report, name="period_report"),
    path(
        "<int:pk>/report/submit/",
        submissions.submission_submit,
        name="submission_submit",
    ),
    path("<int:pk>/report/built/", submissions.built_report, name="built_report"),
    path(
        "submissions/<int:pk>/<slug:action>/",
        submissions.submission_decide,
        name="submission_decide",
    ),
    path("<int:pk>/comments/", submissions.comment_list, name="comments"),
    path("<int:pk>/comments/add/", submissions.comment_add, name="comment_add"),
]
