"""Third-party libraries whose INFO lines are their own bookkeeping: b2sdk writes eleven
lines of download statistics for every object it reads (the server reads each upload twice,
in ``complete`` and in processing), the HTTP clients a line per request. Each process keeps
their warnings and errors and drops the rest, so its log says what ReelDrop did."""

from __future__ import annotations

import logging

CHATTY = ("b2sdk", "httpx", "httpcore", "urllib3", "logfury")


def quiet_library_logs() -> None:
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)
