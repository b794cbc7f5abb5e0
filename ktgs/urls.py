from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from ktgs import views
from ktgs.converters import IdConverter
from ktgs.forms import LoginForm

# `<id:pk>` (an id within PostgreSQL's integer, else 404) for every app's URL conf below.
register_converter(IdConverter, "id")

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("organizations/search/", views.organization_search, name="organization_search"),
    path("organizations/import/", views.organization_import_new, name="organization_import"),
    path(
        "organizations/import/<id:pk>/",
        views.organization_import_detail,
        name="organization_import_detail",
    ),
    path("organizations/<id:pk>/", views.organization_detail, name="organization_detail"),
    path(
        "organizations/<id:pk>/children/",
        views.organization_children,
        name="organization_children",
    ),
    path("programmes/", include("plans.urls")),
    path("cases/", include("cases.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("api/", include("ktgs.api_urls")),
    path("progress/reminders/", include("reminders.urls")),
    path("progress/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
