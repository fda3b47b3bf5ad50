from django.urls import path

from resonanz.widget import views

urlpatterns = [
    path("v1/<str:key>/thread", views.thread, name="widget-thread"),
    path("v1/<str:key>/comments", views.post_comment, name="widget-comment"),
    path("v1/<str:key>/form", views.form, name="widget-form"),
    path("v1/<str:key>/pending", views.pending, name="widget-pending"),
]
