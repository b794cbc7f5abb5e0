from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/report/", views.period_report, name="period_report"),
]
