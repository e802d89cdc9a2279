"""Start quietly at login: wait for the keyring before signing back in.

A daemon started at login often runs before the desktop's keyring (the Secret Service) is on
the session bus or unlocked. Reading the stored sign-in then fails, and the daemon would
report "signed out" although the user never signed out. Instead it waits, with a growing
pause and one log line when waiting starts and one when it ends, then signs back in. The
keyring backend is looked up again on each try, because ``keyring`` picks it once at import.

Waiting for the network needs nothing here: signing back in with the server unreachable
keeps the sign-in, and the connectivity backoff of the daemon core retries quietly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from daemon.secrets import SERVICE, keyring_usable

log = logging.getLogger(__name__)
WAITING_NOTICE = "waiting for the keyring to be unlocked to sign back in"
PAUSES = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


def keyring_ready() -> bool:
    """The keyring answers a read now (a fresh backend lookup when the last one was unusable)."""
    import keyring
    import keyring.core

    try:
        if not keyring_usable():
            keyring.core.init_backend()
            if not keyring_usable():
                return False
        keyring.get_password(SERVICE, "reeldrop-readiness-check")
    except Exception:  # locked, no D-Bus yet, backend errors: all mean "not yet"
        return False
    return True


def start_when_ready(
    start: Callable[[], None],
    uses_keyring: bool,
    stop: threading.Event,
    *,
    on_wait: Callable[[str | None], None] = lambda _notice: None,
    ready: Callable[[], bool] = keyring_ready,
    pauses: tuple[float, ...] = PAUSES,
) -> threading.Thread | None:
    """Run ``start`` now, or, when the sign-in is in a keyring that is not ready, in a thread
    once it is. ``on_wait`` gets the notice to show while waiting, then None."""
    if not uses_keyring or ready():
        start()
        return None

    def wait_then_start() -> None:
        began = time.monotonic()
        log.info("the keyring is not available yet; waiting for it to sign back in")
        on_wait(WAITING_NOTICE)
        attempt = 0
        while not stop.wait(pauses[min(attempt, len(pauses) - 1)]):
            attempt += 1
            if ready():
                log.info("the keyring is available after %.0f s", time.monotonic() - began)
                on_wait(None)
                start()
                return

    thread = threading.Thread(target=wait_then_start, name="wait-for-keyring", daemon=True)
    thread.start()
    return thread
