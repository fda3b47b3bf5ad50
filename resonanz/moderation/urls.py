from django.urls import path

from resonanz.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.rules, name="rules"),
    path("new/", views.edit, name="new"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
