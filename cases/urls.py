from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("units/search/", views.subject_search, name="subject_search"),
    path("targets/", views.target_choices, name="target_choices"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/status/", views.case_status, name="status"),
    path("<int:pk>/conclude/", views.case_conclude, name="conclude"),
    path(
        "<int:pk>/subjects/<int:subject_pk>/discipline/",
        views.case_discipline,
        name="discipline",
    ),
]
