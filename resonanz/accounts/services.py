"""Accounts: API tokens and invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from resonanz.accounts.models import ApiToken, User, hash_token
from resonanz.core import audit
from resonanz.core.models import Invitation, Membership, Role, Workspace
from resonanz.core.permissions import ROLE_ORDER, Access, Capability, role_at_most

INVITATION_DAYS = 7


class TokenError(ValueError):
    pass


def create_token(access: Access, *, name: str, role: str | None = None) -> tuple[ApiToken, str]:
    """Create a personal token for the caller in this workspace; return it and the raw secret.

    The token's role is at most the caller's own role.
    """
    if role and role not in Role.values:
        raise TokenError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    effective = role_at_most(role or access.role, access.role)
    raw = ApiToken.generate_raw()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user_id=access.person_id,
            workspace=access.workspace,
            name=(name or "token")[:100],
            role=effective,
            token_hash=hash_token(raw),
            prefix=raw[:12],
        )
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="token.create",
            object_type="api_token",
            object_id=token.pk,
            after={"name": token.name, "role": token.role},
        )
    return token, raw


def create_token_for_cli(*, email: str, workspace_slug: str, name: str, role: str | None) -> str:
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        raise TokenError(f"No user with email {email}.")
    membership = (
        Membership.objects.filter(user=user, workspace__slug=workspace_slug)
        .select_related("workspace")
        .first()
    )
    if membership is None:
        raise TokenError(f"{email} is not a member of a workspace {workspace_slug!r}.")
    access = Access(membership.workspace, membership.role, user.pk)
    return create_token(access, name=name, role=role)[1]


def revoke_token(access: Access, token_id: int) -> None:
    token = ApiToken.objects.filter(
        pk=token_id, workspace=access.workspace, user_id=access.person_id
    ).first()
    if token is None and access.can(Capability.MANAGE):
        token = ApiToken.objects.filter(pk=token_id, workspace=access.workspace).first()
    if token is None:
        raise TokenError("No such token.")
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="token.revoke",
            object_type="api_token",
            object_id=token.pk,
        )


def authenticate_token(raw: str) -> Access | None:
    """The access a bearer token grants, or None (unknown, revoked, or member no more)."""
    if not raw.startswith("rsz_") or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.select_related("workspace", "user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    membership = Membership.objects.filter(
        user_id=token.user_id, workspace_id=token.workspace_id
    ).first()
    if membership is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Access(token.workspace, role_at_most(token.role, membership.role), token.user_id)


def invite(access: Access, *, email: str, role: str) -> tuple[Invitation, str]:
    """Invite someone by email; managers may invite up to manager, owners anyone."""
    access.require(Capability.MANAGE)
    if role not in Role.values:
        raise TokenError(f"Unknown role {role!r}.")
    if ROLE_ORDER.index(Role(role)) < ROLE_ORDER.index(Role(access.role)):
        raise TokenError("You cannot invite someone with more rights than your own.")
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            workspace=access.workspace,
            email=email.lower(),
            role=role,
            token_hash=hashlib.sha256(raw.encode()).hexdigest(),
            invited_by_id=access.user_id,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="member.invite",
            object_type="invitation",
            object_id=invitation.pk,
            after={"email": invitation.email, "role": role},
        )
    link = settings.PUBLIC_URL + reverse("invitation", args=[raw])
    send_mail(
        subject=f"Einladung / Invitation: {access.workspace.name} (Resonanz)",
        message=(
            f"Sie wurden zu {access.workspace.name} eingeladen. / You were invited to "
            f"{access.workspace.name}.\n\n{link}\n\n"
            f"Der Link gilt {INVITATION_DAYS} Tage. / The link is valid for {INVITATION_DAYS} days."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    return invitation, link


def change_role(access: Access, membership: Membership, role: str) -> Membership:
    """Give a member another role: nobody grants more than their own, only owners touch
    the owner role, and a workspace always keeps an owner."""
    access.require(Capability.MANAGE)
    if role not in Role.values:
        raise TokenError(_("Unknown role."))
    if Role.OWNER in (role, membership.role) and not access.can(Capability.OWN):
        raise TokenError(_("Only owners can grant or take the owner role."))
    if ROLE_ORDER.index(Role(role)) < ROLE_ORDER.index(Role(access.role)):
        raise TokenError(_("You cannot grant more rights than your own."))
    with transaction.atomic():
        owners = Membership.objects.select_for_update().filter(
            workspace=access.workspace, role=Role.OWNER
        )
        if membership.role == Role.OWNER and role != Role.OWNER and len(owners) == 1:
            raise TokenError(_("A workspace keeps at least one owner."))
        before = {"role": membership.role}
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="member.role",
            object_type="membership",
            object_id=membership.pk,
            before=before,
            after={"role": role},
        )
    return membership


def find_invitation(raw: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("workspace")
        .filter(token_hash=hashlib.sha256(raw.encode()).hexdigest())
        .first()
    )
    return invitation if invitation and invitation.is_usable else None


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(
            workspace=invitation.workspace,
            actor_id=user.pk,
            action="member.join",
            object_type="membership",
            object_id=membership.pk,
            after={"role": membership.role},
        )
    return membership


def create_workspace(owner: User, *, name: str, slug: str) -> Workspace:
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, slug=slug)
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
        audit.record(
            workspace=workspace,
            actor_id=owner.pk,
            action="workspace.create",
            object_type="workspace",
            object_id=workspace.pk,
            after={"name": name, "slug": slug},
        )
    return workspace
