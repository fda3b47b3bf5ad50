from django.urls import path

from resonanz.widget import views

urlpatterns = [
    path("v1/<str:key>/thread", views.thread, name="widget-thread"),
    path("v1/<str:key>/comments", views.post_comment, name="widget-comment"),
]
