"""Sign-in state of the daemon: which server, which account, where the token is kept."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from daemon.core.events import EventBus
from daemon.secrets import NO_KEYRING_NOTICE, FileTokenStore, keyring_usable, token_store_for
from daemon.serverapi.client import ServerClient
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from daemon.settings import Account, Settings, save_settings
from shared.control.schemas import AccountState, AccountView, SignOutView

log = logging.getLogger(__name__)
SIGNED_OUT_NOTICE = "signed out: sign in to continue"
EXPIRED_NOTICE = "signed out: your sign-in expired or was revoked; sign in to continue"
FILE_NOTICE = "Your sign-in is kept in a file only you can read (--insecure-storage)."
REFRESH_TOKEN_FILE = "refresh-token"


class AccountManager:
    """Owns the signed-in ``ServerClient``; tells ``on_change`` whenever it changes."""

    def __init__(
        self,
        settings: Settings,
        settings_path: Path,
        data_dir: Path,
        bus: EventBus,
        on_change: Callable[[ServerClient | None], None],
        make_client: Callable[..., ServerClient] = ServerClient,
    ) -> None:
        self.settings, self.settings_path, self.data_dir = settings, settings_path, data_dir
        self.bus, self.on_change, self.make_client = bus, on_change, make_client
        self.client: ServerClient | None = None
        self.notice: str | None = None
        self.expired = False
        self.waiting: str | None = None  # e.g. for the keyring at login (daemon/startup.py)

    def view(self) -> AccountView:
        client, account = self.client, self.settings.account
        signed_in = client is not None
        state: AccountState = (
            "signed_in" if signed_in else ("expired" if self.expired else "signed_out")
        )
        notice = self.notice
        if not signed_in:
            notice = self.waiting or (EXPIRED_NOTICE if self.expired else SIGNED_OUT_NOTICE)
        return AccountView(
            signed_in=signed_in,
            state=state,
            server_url=account.server_url if account else None,
            email=account.email if account else None,
            user_id=client.user.id if client and client.user else None,
            token_storage=account.token_storage if account else None,
            notice=notice,
        )

    def set_waiting(self, notice: str | None) -> None:
        """What signing back in waits for (None: nothing), shown while signed out."""
        self.waiting = notice
        self.bus.data("account", self.view().model_dump(mode="json", by_alias=True))

    def _set_client(self, client: ServerClient | None) -> None:
        previous, self.client = self.client, client
        if previous is not None and previous is not client:
            previous.close()
        self.on_change(client)
        self.bus.data("account", self.view().model_dump(mode="json", by_alias=True))

    def sign_in(self, server_url: str, email: str, password: str, insecure: bool) -> AccountView:
        """Raises ServerRejected (wrong password), ServerUnavailable (no server)."""
        if keyring_usable():
            kind, notice = "keyring", None
        elif insecure:
            kind, notice = "file", FILE_NOTICE
        else:
            kind, notice = "memory", NO_KEYRING_NOTICE
        store = token_store_for(kind, server_url, email, self.data_dir)
        client = self.make_client(server_url, store)
        client.login(email, password)
        self.settings.account = Account(
            server_url=server_url.rstrip("/"), email=email, token_storage=kind
        )
        save_settings(self.settings_path, self.settings)
        self.notice, self.expired = notice, False
        self._set_client(client)
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
        client = self.make_client(account.server_url, store)
        try:
            client.refresh()
        except NotSignedIn:
            self.expired = True
            self.bus.data("account", self.view().model_dump(mode="json", by_alias=True))
            return
        except ServerUnavailable:
            log.info("server unreachable at start; uploads wait until it answers")
        self._set_client(client)

    def lost(self) -> None:
        """The server refused the stored sign-in: signed out until the user signs in."""
        if self.client is None:
            return
        self.expired = True
        self._set_client(None)

    def sign_out(self) -> SignOutView:
        """Revoke the sign-in on the server, and any refresh token an earlier sign-in of this
        user left in a file here, then forget them all; say whether the server revoked it."""
        client, account = self.client, self.settings.account
        leftover = FileTokenStore(self.data_dir / REFRESH_TOKEN_FILE)
        revoked: bool | None = None
        if client is not None:
            stale = leftover.load()
            if stale and stale != client.token_store.load():
                with contextlib.suppress(ServerUnavailable, NotSignedIn, ServerRejected):
                    client.revoke(stale)
            try:
                client.logout()
                revoked = True
            except NotSignedIn:
                revoked = True  # the server no longer accepts it: ended there already
            except (ServerUnavailable, ServerRejected):
                revoked = False
                client.token_store.clear()
        leftover.clear()
        if account is not None:
            token_store_for(
                account.token_storage, account.server_url, account.email, self.data_dir
            ).clear()
        self.settings.account = None
        self.notice, self.expired = None, False
        save_settings(self.settings_path, self.settings)
        self._set_client(None)
        return SignOutView(**self.view().model_dump(), revoked_on_server=revoked)
