"""Roles and what each may do: the one permission check every view and endpoint uses."""

from __future__ import annotations

from enum import StrEnum

from django.http import Http404
from django.utils.translation import gettext as _

from resonanz.core.models import Membership, Role, Workspace


class Capability(StrEnum):
    VIEW = "view"  # read conversations, contacts, reports
    REPLY = "reply"  # answer publicly or privately, write internal notes
    TRIAGE = "triage"  # state, assignee, tags, priority
    MODERATE = "moderate"  # hide, mark spam, publish held comments
    MANAGE = "manage"  # channels, imports, members (below owner), saved views for all
    OWN = "own"  # workspace settings, owners


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VIEWER: frozenset({Capability.VIEW}),
    Role.MODERATOR: frozenset({Capability.VIEW, Capability.MODERATE, Capability.TRIAGE}),
    Role.AGENT: frozenset(
        {Capability.VIEW, Capability.REPLY, Capability.TRIAGE, Capability.MODERATE}
    ),
    Role.MANAGER: frozenset(
        {
            Capability.VIEW,
            Capability.REPLY,
            Capability.TRIAGE,
            Capability.MODERATE,
            Capability.MANAGE,
        }
    ),
    Role.OWNER: frozenset(Capability),
}

# Lower index = more rights; a token or invitation may never exceed its creator's role.
ROLE_ORDER = [Role.OWNER, Role.MANAGER, Role.AGENT, Role.MODERATOR, Role.VIEWER]


class PermissionDeniedForRole(Exception):
    """The member exists but their role does not allow the action (HTTP 403)."""

    def __init__(self, capability: Capability) -> None:
        super().__init__(
            _("Your role does not allow this (%(capability)s).") % {"capability": capability}
        )
        self.capability = capability


def role_allows(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def role_at_most(role: str, ceiling: str) -> str:
    """The weaker of two roles."""
    return role if ROLE_ORDER.index(Role(role)) >= ROLE_ORDER.index(Role(ceiling)) else ceiling


class Access:
    """A user's (or token's) standing in one workspace.

    ``user_id`` is None when no person acts: a moderation rule, say, whose name the audit
    log shows as ``actor_label``.
    """

    def __init__(
        self, workspace: Workspace, role: str, user_id: int | None, actor_label: str = ""
    ) -> None:
        self.workspace = workspace
        self.role = role
        self.user_id = user_id
        self.actor_label = actor_label

    @property
    def person_id(self) -> int:
        """The acting person, for what only a person does (read marks, presence, tokens)."""
        if self.user_id is None:
            raise TypeError(f"{self.actor_label or 'this actor'} is not a person")
        return self.user_id

    def can(self, capability: Capability) -> bool:
        return role_allows(self.role, capability)

    def require(self, capability: Capability) -> None:
        if not self.can(capability):
            raise PermissionDeniedForRole(capability)


def access_for(user_id: int | None, workspace_slug: str) -> Access:
    """The caller's access to a workspace, or 404 when they are not a member.

    404 and not 403: an outsider must not learn that the workspace exists.
    """
    if user_id is None:
        raise Http404("No such workspace.")
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user_id=user_id, workspace__slug=workspace_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    return Access(membership.workspace, membership.role, user_id)
