"""How the daemon process ends once it has stopped: at once, even while a server hangs.

By the time ``run_daemon`` returns, everything the daemon must keep is committed (jobs,
queued server calls, large-file ids), every run has been told to stop and the requests
still in flight have had their grace (``DaemonCore.stop``). What may still run is a
request whose answer nobody waits for any more: an ``initiate`` asked while a file was
probed, a thumbnail on its way, a part on a connection the store stopped reading, or an
idle pool of a library. The interpreter's own exit would wait for every pool thread, up
to a whole request timeout (30 s for the server, longer for the store) when the other
end hangs, and a user who quits ReelDrop or logs out would find it still there."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn


def end_process(code: int) -> NoReturn:
    """Flush the logs and the standard streams, and leave without waiting for threads."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
