"""Third-party loggers whose INFO lines are their own bookkeeping: b2sdk's downloader writes
eleven lines of download statistics for every object it reads (the server reads each
upload twice, in ``complete`` and in processing), the HTTP clients a line per request.
Each process drops their INFO lines and keeps their warnings and errors; b2sdk's other
INFO lines stay (its notice that it pauses before retrying a failed call is one)."""

from __future__ import annotations

import logging

CHATTY = (
    "b2sdk._internal.transfer.inbound.downloader",
    "httpx",
    "httpcore",
    "urllib3",
    "logfury",
)


def quiet_library_logs() -> None:
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)
