"""The audit log: one call records who changed what, with before and after."""

from __future__ import annotations

from typing import Any

from resonanz.core.models import AuditLog, Workspace


def record(
    *,
    workspace: Workspace | None,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditLog:
    """Append an audit entry; call it inside the transaction that makes the change."""
    return AuditLog.objects.create(
        workspace=workspace,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before or {},
        after=after or {},
    )
