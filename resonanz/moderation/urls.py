from django.urls import path

from resonanz.moderation import views

app_name = "moderation"

urlpatterns = [path("preview/", views.preview, name="preview"), *views.pages.urls()]
