from django.urls import path

from resonanz.sla import views

app_name = "sla"

urlpatterns = [path("hours/", views.business_hours, name="hours"), *views.pages.urls()]
