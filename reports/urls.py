from django.urls import path

from reports import views, views_submissions

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/report/", views.period_report, name="period_report"),
    path(
        "<int:pk>/report/submit/",
        views_submissions.submission_submit,
        name="submission_submit",
    ),
    path("<int:pk>/report/built/", views_submissions.built_report, name="built_report"),
    path(
        "submissions/<int:pk>/<slug:action>/",
        views_submissions.submission_decide,
        name="submission_decide",
    ),
    path("<int:pk>/comments/", views_submissions.comment_list, name="comments"),
    path("<int:pk>/comments/add/", views_submissions.comment_add, name="comment_add"),
]
