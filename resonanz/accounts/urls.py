from django.contrib.auth import views as auth_views
from django.urls import path

from resonanz.accounts import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
    path("profile/", views.profile, name="profile"),
]
