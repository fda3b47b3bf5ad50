"""Creating and configuring channels and workspaces (settings pages and CLI share these)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from resonanz.channels.models import Channel, ChannelKind
from resonanz.core import audit
from resonanz.core.models import Workspace
from resonanz.core.permissions import Access, Capability


class ChannelError(ValueError):
    pass


def create_channel(access: Access, *, kind: str, name: str, slug: str = "") -> Channel:
    """Add a channel to the workspace; the slug defaults to one made from the name."""
    access.require(Capability.MANAGE)
    if kind not in ChannelKind.values:
        raise ChannelError(
            _("Unknown channel kind %(kind)s; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(ChannelKind.values)}
        )
    name = name.strip()[:120]
    slug = slugify(slug or name)[:60]
    if not name or not slug:
        raise ChannelError(_("A channel needs a name."))
    config: dict[str, Any] = {}
    if kind == ChannelKind.WIDGET:
        config = {"allowed_origins": [], "premoderation": False, "max_length": 3000}
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                workspace=access.workspace, kind=kind, name=name, slug=slug, config=config
            )
            audit.record(
                workspace=access.workspace,
                actor_id=access.user_id,
                action="channel.create",
                object_type="channel",
                object_id=channel.pk,
                after={"kind": kind, "name": name, "slug": slug},
            )
    except IntegrityError as exc:
        raise ChannelError(
            _("This workspace already has a channel %(slug)s.") % {"slug": slug}
        ) from exc
    return channel


def update_channel_config(access: Access, channel: Channel, changes: dict[str, Any]) -> Channel:
    access.require(Capability.MANAGE)
    before = dict(channel.config)
    with transaction.atomic():
        channel.config = {**channel.config, **changes}
        channel.save(update_fields=["config"])
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="channel.update",
            object_type="channel",
            object_id=channel.pk,
            before=before,
            after=channel.config,
        )
    return channel


def update_workspace(
    access: Access, *, name: str, timezone: str, languages: list[str]
) -> Workspace:
    """Rename the workspace, set its time zone and the languages its community writes."""
    access.require(Capability.OWN)
    workspace = access.workspace
    before = {
        "name": workspace.name,
        "timezone": workspace.timezone,
        "languages": workspace.languages,
    }
    workspace.name = name.strip()[:120] or workspace.name
    workspace.timezone = timezone
    workspace.languages = languages
    try:
        workspace.full_clean(exclude=["slug"])
    except ValidationError as exc:
        raise ChannelError(
            "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
        ) from exc
    with transaction.atomic():
        workspace.save(update_fields=["name", "timezone", "languages"])
        audit.record(
            workspace=workspace,
            actor_id=access.user_id,
            action="workspace.update",
            object_type="workspace",
            object_id=workspace.pk,
            before=before,
            after={"name": workspace.name, "timezone": workspace.timezone, "languages": languages},
        )
    return workspace
