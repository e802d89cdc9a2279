"""Code shared by ReelDrop's desktop window, daemon and server.

Nothing here imports Qt, the daemon, the desktop or the server: every other part may
import this package, so it must stay free of their dependencies.
"""

__version__ = "0.1.0"
