"""A keyring that is not there yet at login: unusable until a marker file appears, then a
plain JSON file. Stands in for a Secret Service that starts or unlocks after the daemon
(the real OS keyring cannot run here). Chosen with PYTHON_KEYRING_BACKEND."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


def _ready() -> bool:
    return Path(os.environ["REELDROP_TEST_KEYRING_READY"]).exists()


class LateKeyring(KeyringBackend):
    @property  # type: ignore[override]
    def priority(self) -> float:
        return 1 if _ready() else 0

    def _load(self) -> dict[str, str]:
        if not _ready():
            raise KeyringLocked("the keyring is not available yet")
        path = Path(os.environ["REELDROP_TEST_KEYRING_FILE"])
        return json.loads(path.read_text()) if path.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        Path(os.environ["REELDROP_TEST_KEYRING_FILE"]).write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}|{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}|{username}", None) is None:
            raise PasswordDeleteError(username)
        self._save(data)
