from django.urls import path

from cases.views import cases as views
from cases.views import complaints, denunciations, letters, suspensions

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("units/search/", views.subject_search, name="subject_search"),
    path("targets/", views.target_choices, name="target_choices"),
    path("<id:pk>/", views.case_detail, name="detail"),
    path("<id:pk>/edit/", views.case_edit, name="edit"),
    path("<id:pk>/status/", views.case_status, name="status"),
    path("<id:pk>/reopen/", views.case_reopen, name="reopen"),
    path("<id:pk>/conclude/", views.case_conclude, name="conclude"),
    path(
        "<id:pk>/subjects/<id:subject_pk>/discipline/",
        views.case_discipline,
        name="discipline",
    ),
    # The commission's other records.
    path("letters/", letters.letter_list, name="letter_list"),
    path("letters/new/", letters.letter_create, name="letter_create"),
    path("letters/<id:pk>/", letters.letter_detail, name="letter_detail"),
    path("letters/<id:pk>/edit/", letters.letter_edit, name="letter_edit"),
    *[
        path(
            f"letters/<id:pk>/{name.replace('_', '-')}/",
            letters.letter_action,
            {"action": name},
            name=f"letter_{name}",
        )
        for name in letters.ACTIONS
    ],
    path("denunciations/", denunciations.denunciation_list, name="denunciation_list"),
    path("denunciations/<id:pk>/", denunciations.denunciation_detail, name="denunciation_detail"),
    *[
        path(
            f"denunciations/<id:pk>/{name}/",
            denunciations.denunciation_action,
            {"action": name},
            name=f"denunciation_{name}",
        )
        for name in denunciations.ACTIONS
    ],
    path("complaints/", complaints.complaint_list, name="complaint_list"),
    path("complaints/new/", complaints.complaint_create, name="complaint_create"),
    path("complaints/<id:pk>/", complaints.complaint_detail, name="complaint_detail"),
    path("complaints/<id:pk>/decide/", complaints.complaint_decide, name="complaint_decide"),
    path("suspensions/", suspensions.suspension_list, name="suspension_list"),
    path("suspensions/new/", suspensions.suspension_create, name="suspension_create"),
    path("suspensions/<id:pk>/", suspensions.suspension_detail, name="suspension_detail"),
    *[
        path(
            f"suspensions/<id:pk>/{name}/",
            suspensions.suspension_action,
            {"action": name},
            name=f"suspension_{name}",
        )
        for name in suspensions.ACTIONS
    ],
]
