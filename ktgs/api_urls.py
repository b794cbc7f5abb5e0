"""/api/: version 1 of the REST API, its OpenAPI schema and its documentation.

Each app's routes live in its own api module (a package for cases and reports) and are
included here by dotted name, so that ktgs's code never imports plans, cases, reports or
reminders (dependencies point the other way)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ktgs.api import DocsView, OrganizationViewSet, SchemaView

core_router = DefaultRouter(trailing_slash=True)
core_router.include_root_view = False
core_router.register("organizations", OrganizationViewSet, basename="organization")

v1 = [
    *core_router.urls,
    path("", include("plans.api")),
    path("", include("cases.api")),
    path("", include("reports.api")),
    path("", include("reminders.api")),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
]
