from django.urls import path

from resonanz.demo import views

urlpatterns = [
    path("article/<int:number>", views.article, name="demo-article"),
]
