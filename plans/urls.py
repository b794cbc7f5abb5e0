from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<id:pk>/", views.programme_detail, name="detail"),
    path("<id:pk>/edit/", views.programme_edit, name="edit"),
    path("<id:pk>/targets/", views.programme_targets, name="targets"),
    path("<id:pk>/quota/", views.programme_quota, name="quota"),
    path("<id:pk>/copy/", views.programme_copy, name="copy"),
    path("<id:pk>/amend/", views.programme_amend, name="amend"),
    path("<id:pk>/issue/", views.programme_issue, name="issue"),
    path("<id:pk>/close/", views.programme_close, name="close"),
    path("<id:pk>/reopen/", views.programme_reopen, name="reopen"),
]
