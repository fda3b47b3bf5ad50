from django.urls import path

from resonanz.channels import views
from resonanz.triage.views import learning

app_name = "settings"

urlpatterns = [
    path("", views.workspace_settings, name="workspace"),
    path("channels/", views.channels, name="channels"),
    path("channels/<slug:slug>/", views.channel_detail, name="channel"),
    path("import/", views.import_file, name="import"),
    path("members/", views.members, name="members"),
    path("tokens/", views.tokens, name="tokens"),
    path("audit/", views.audit_log, name="audit"),
    path("learning/", learning, name="learning"),
]
