from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/edit/", views.programme_edit, name="edit"),
    path("<int:pk>/targets/", views.programme_targets, name="targets"),
    path("<int:pk>/quota/", views.programme_quota, name="quota"),
    path("<int:pk>/copy/", views.programme_copy, name="copy"),
    path("<int:pk>/amend/", views.programme_amend, name="amend"),
    path("<int:pk>/issue/", views.programme_issue, name="issue"),
    path("<int:pk>/close/", views.programme_close, name="close"),
    path("<int:pk>/reopen/", views.programme_reopen, name="reopen"),
]
