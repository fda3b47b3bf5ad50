from django.urls import path

from resonanz.channels import hook_views

urlpatterns = [
    path("v1/<str:key>", hook_views.webhook, name="webhook"),
]
