"""Where the refresh token lives: the OS keyring, or (opt-in) a private file, or memory.

Headless Linux often has no usable keyring. Then the token stays in the daemon's memory and
the user is told so, unless they opt in with ``--insecure-storage`` to a file only they can
read (the GitHub CLI's convention). Never in a log, a URL or the settings file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import keyring
from keyring.errors import KeyringError

SERVICE = "reeldrop"


def keyring_usable() -> bool:
    try:
        backend = keyring.get_keyring()
    except KeyringError:
        return False
    name = type(backend).__module__ + "." + type(backend).__name__
    if "fail" in name.lower() or "null" in name.lower():
        return False
    if name.startswith("keyrings.alt") and not os.environ.get("PYTHON_KEYRING_BACKEND"):
        return False  # plaintext stand-ins count only when chosen on purpose
    priority = getattr(backend, "priority", 0)
    return bool(priority and priority > 0)


class MemoryTokenStore:
    kind = "memory"

    def __init__(self) -> None:
        self._token: str | None = None

    def load(self) -> str | None:
        return self._token

    def save(self, token: str) -> None:
        self._token = token

    def clear(self) -> None:
        self._token = None


class KeyringTokenStore:
    kind = "keyring"

    def __init__(self, server_url: str, email: str) -> None:
        self._user = f"{server_url.rstrip('/')}|{email}"

    def load(self) -> str | None:
        try:
            return keyring.get_password(SERVICE, self._user)
        except KeyringError:
            return None

    def save(self, token: str) -> None:
        keyring.set_password(SERVICE, self._user, token)

    def clear(self) -> None:
        with contextlib.suppress(KeyringError):
            keyring.delete_password(SERVICE, self._user)


class FileTokenStore:
    kind = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def save(self, token: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token)
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def token_store_for(
    kind: str, server_url: str, email: str, data_dir: Path
) -> MemoryTokenStore | KeyringTokenStore | FileTokenStore:
    if kind == "keyring":
        return KeyringTokenStore(server_url, email)
    if kind == "file":
        return FileTokenStore(data_dir / "refresh-token")
    return MemoryTokenStore()


NO_KEYRING_NOTICE = (
    "No usable keyring backend was found, so your sign-in is kept in the daemon's memory "
    "only and ends when the daemon stops. To keep it on disk in a file only you can read, "
    "sign in again with --insecure-storage."
)
