"""Where the ReelDrop client keeps settings, machine state, logs and runtime files.

User settings, machine state and secrets live apart. ``REELDROP_HOME`` overrides every
client directory at once, so that tests and two users on one machine can run side by side.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

APP_NAME = "reeldrop"


class AppDirs(NamedTuple):
    """The client's directories; create them with :meth:`ensure`. A named tuple, and
    ``platformdirs`` imported only when asked: every command starts here, and a dataclass
    and that import cost 13 ms before it can reach the daemon."""

    config: Path
    data: Path
    logs: Path
    runtime: Path

    def ensure(self) -> AppDirs:
        for path in (self.config, self.data, self.logs, self.runtime):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.chmod(0o700)  # also when made earlier with the umask's mode
        return self


def app_dirs() -> AppDirs:
    """Resolve the directories from ``REELDROP_HOME`` or the platform's conventions."""
    home = os.environ.get("REELDROP_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return AppDirs(
            config=root / "config",
            data=root / "data",
            logs=root / "logs",
            runtime=root / "run",
        )
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    runtime = Path(dirs.user_runtime_dir) if os.name != "nt" else Path(dirs.user_data_dir) / "run"
    return AppDirs(
        config=Path(dirs.user_config_dir),
        data=Path(dirs.user_data_dir),
        logs=Path(dirs.user_log_dir),
        runtime=runtime,
    )
