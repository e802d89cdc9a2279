"""Sign-in state of the daemon: which server, which account, where the token is kept."""

from __future__ import annotations

import logging
from pathlib import Path

from daemon.secrets import NO_KEYRING_NOTICE, keyring_usable, token_store_for
from daemon.serverapi.client import ServerClient
from daemon.serverapi.errors import NotSignedIn, ServerUnavailable
from daemon.service import DaemonService
from daemon.settings import Account, Settings, save_settings
from shared.control.schemas import AccountView, JobEvent

log = logging.getLogger(__name__)


class AccountManager:
    def __init__(
        self, service: DaemonService, settings: Settings, settings_path: Path, data_dir: Path
    ) -> None:
        self.service, self.settings = service, settings
        self.settings_path, self.data_dir = settings_path, data_dir
        self.notice: str | None = None

    def view(self) -> AccountView:
        client = self.service.client()
        account = self.settings.account
        return AccountView(
            signed_in=client is not None,
            server_url=account.server_url if account else None,
            email=account.email if account else None,
            user_id=client.user.id if client and client.user else None,
            token_storage=account.token_storage if account else None,
            notice=self.notice,
        )

    def _announce(self) -> None:
        self.service.store.publish(
            JobEvent(type="account", data=self.view().model_dump(by_alias=True))
        )

    def sign_in(self, server_url: str, email: str, password: str, insecure: bool) -> AccountView:
        """Raises ServerRejected (wrong password), ServerUnavailable (no server)."""
        if keyring_usable():
            kind, self.notice = "keyring", None
        elif insecure:
            kind = "file"
            self.notice = "Your sign-in is kept in a file only you can read (--insecure-storage)."
        else:
            kind, self.notice = "memory", NO_KEYRING_NOTICE
        store = token_store_for(kind, server_url, email, self.data_dir)
        client = ServerClient(server_url, store)
        client.login(email, password)
        previous = self.service.client()
        if previous is not None and previous is not client:
            previous.close()
        self.settings.account = Account(
            server_url=server_url.rstrip("/"), email=email, token_storage=kind
        )
        save_settings(self.settings_path, self.settings)
        self.service.attach_server(client)
        self._announce()
        return self.view()

    def restore(self) -> None:
        """After a restart: sign back in from the stored refresh token, if there is one."""
        account = self.settings.account
        if account is None or account.token_storage == "memory":
            return
        store = token_store_for(
            account.token_storage, account.server_url, account.email, self.data_dir
        )
        if not store.load():
            return
        client = ServerClient(account.server_url, store)
        try:
            client.refresh()
        except NotSignedIn:
            self.notice = "Your sign-in expired; sign in again."
            return
        except ServerUnavailable:
            log.info("server unreachable at start; uploads wait until it answers")
        self.service.attach_server(client)

    def sign_out(self) -> AccountView:
        self.service.sign_out()
        if self.settings.account is not None:
            account = self.settings.account
            token_store_for(
                account.token_storage, account.server_url, account.email, self.data_dir
            ).clear()
        self.settings.account = None
        self.notice = None
        save_settings(self.settings_path, self.settings)
        self.service.attach_server(None)
        self._announce()
        return self.view()
