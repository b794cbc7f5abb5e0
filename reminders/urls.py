# Mounted at /progress/reminders/ (ktgs.urls), where the log and the unsubscribe links in
# digests already sent have always been.
from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.reminder_log, name="log"),
    path("unsubscribe/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
]
