"""User settings (no secrets), kept as JSON in the config directory."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
}
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*(?:/s|ps)?\s*$", re.IGNORECASE)


class SettingError(ValueError):
    """A setting name or value is not valid; the message says which and why."""


def parse_rate(text: str) -> int | None:
    """'5MB/s' -> 5000000 bytes per second; '0' or 'none' -> None (no limit)."""
    if text.strip().lower() in ("0", "none", "off", "unlimited"):
        return None
    match = _RATE.match(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in UNITS:
        raise SettingError(
            f"bandwidth-limit {text!r} is not a rate such as 5MB/s, 500KB/s, 1.5MiB/s or 0 for none"
        )
    value = int(float(match.group(1)) * UNITS[unit])
    if value <= 0:
        return None
    if value < 10_000:
        raise SettingError("bandwidth-limit must be at least 10KB/s (or 0 for none)")
    return value


@dataclass
class Account:
    server_url: str
    email: str
    token_storage: str  # keyring | file | memory


@dataclass
class Settings:
    bandwidth_limit: str = "0"
    concurrent_uploads: int = 2
    notifications: bool = True  # the desktop app's "upload finished / failed" notifications
    account: Account | None = None
    watched_folders: list[str] = field(default_factory=list)
    quiet_seconds: int = 5

    KEYS = ("bandwidth-limit", "concurrent-uploads", "notifications", "quiet-seconds")

    def get(self, key: str) -> str:
        if key == "bandwidth-limit":
            return self.bandwidth_limit
        if key == "concurrent-uploads":
            return str(self.concurrent_uploads)
        if key == "notifications":
            return "on" if self.notifications else "off"
        if key == "quiet-seconds":
            return str(self.quiet_seconds)
        raise SettingError(f"unknown setting {key!r}; known: {', '.join(self.KEYS)}")

    def set(self, key: str, value: str) -> None:
        if key == "bandwidth-limit":
            parse_rate(value)
            self.bandwidth_limit = value.strip()
        elif key == "concurrent-uploads":
            if not value.strip().isdigit() or not 1 <= int(value) <= 16:
                raise SettingError("concurrent-uploads must be a whole number from 1 to 16")
            self.concurrent_uploads = int(value)
        elif key == "notifications":
            choice = value.strip().lower()
            if choice not in ("on", "off"):
                raise SettingError("notifications must be on or off")
            self.notifications = choice == "on"
        elif key == "quiet-seconds":
            if not value.strip().isdigit() or not 1 <= int(value) <= 3600:
                raise SettingError(
                    "quiet-seconds must be a whole number of seconds from 1 to 3600 (how long "
                    "a watched file must stay unchanged before it is taken)"
                )
            self.quiet_seconds = int(value)
        else:
            raise SettingError(f"unknown setting {key!r}; known: {', '.join(self.KEYS)}")

    def check(self, key: str, value: str) -> None:
        """Raise SettingError if ``key = value`` would be refused; changes nothing."""
        replace(self, account=self.account).set(key, value)

    def as_dict(self) -> dict[str, str]:
        return {key: self.get(key) for key in self.KEYS}


def load_settings(path: Path) -> Settings:
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return Settings()
    account = raw.pop("account", None)
    known = {
        k: v
        for k, v in raw.items()
        if k
        in (
            "bandwidth_limit",
            "concurrent_uploads",
            "notifications",
            "watched_folders",
            "quiet_seconds",
        )
    }
    return Settings(**known, account=Account(**account) if account else None)


def save_settings(path: Path, settings: Settings) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    os.replace(tmp, path)
