"""Per-channel settings of the website widget, read from ``Channel.config``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_LENGTH = 3000


@dataclass(frozen=True)
class WidgetConfig:
    allowed_origins: tuple[str, ...] = ()
    premoderation: bool = False
    max_length: int = DEFAULT_MAX_LENGTH
    min_seconds_on_form: float = 3.0
    rate_per_ip_per_minute: int = 5
    rate_per_thread_per_minute: int = 30

    @classmethod
    def of(cls, config: dict[str, Any]) -> WidgetConfig:
        def number(key: str, default: float) -> float:
            try:
                return float(config.get(key, default))
            except (TypeError, ValueError):
                return default

        return cls(
            allowed_origins=tuple(
                str(o).rstrip("/") for o in config.get("allowed_origins", []) if o
            ),
            premoderation=bool(config.get("premoderation", False)),
            max_length=int(number("max_length", DEFAULT_MAX_LENGTH)),
            min_seconds_on_form=number("min_seconds_on_form", 3.0),
            rate_per_ip_per_minute=int(number("rate_per_ip_per_minute", 5)),
            rate_per_thread_per_minute=int(number("rate_per_thread_per_minute", 30)),
        )

    def allows_origin(self, origin: str) -> bool:
        return origin.rstrip("/") in self.allowed_origins or "*" in self.allowed_origins
