"""The loopback control API that the CLI and the window use."""
