"""Named points between a store operation's writes where tests may kill the process.

``REELDROP_B2STORE_CRASH_AT=<name>`` ends the process at once (no clean-up, no answer) when
the operation reaches that point, so a test can prove the order of writes is crash-safe.
Unset, it costs one dictionary lookup.
"""

from __future__ import annotations

import os

VARIABLE = "REELDROP_B2STORE_CRASH_AT"
EXIT_CODE = 86


def reached(name: str) -> None:
    if os.environ.get(VARIABLE) == name:
        os._exit(EXIT_CODE)
