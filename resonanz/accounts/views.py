from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from resonanz.accounts.models import User
from resonanz.accounts.services import accept_invitation, find_invitation
from resonanz.core.forms import posted, status_of


class SignupForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=120)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=10)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: log in as the invited address, or create the account."""
    invite = find_invitation(token)
    if invite is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.user.email.lower() != invite.email:  # type: ignore[union-attr]
            return render(
                request, "accounts/invitation_other_user.html", {"invite": invite}, status=403
            )
        accept_invitation(invite, request.user)  # type: ignore[arg-type]
        return redirect("inbox:list", ws=invite.workspace.slug)
    existing = get_user_model().objects.filter(email__iexact=invite.email).first()
    if existing is not None:
        messages.info(request, _("Log in to accept the invitation."))
        return redirect(f"/login/?next={request.path}")
    form = SignupForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user = User.objects.create_user(
            email=invite.email,
            password=form.cleaned_data["password"],
            display_name=form.cleaned_data["display_name"],
        )
        accept_invitation(invite, user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("inbox:list", ws=invite.workspace.slug)
    return render(
        request,
        "accounts/invitation.html",
        {"invite": invite, "form": form},
        status=status_of(form),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language"]


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form}, status=status_of(form))
