"""The daemon's loopback control API: wire schemas and the one client the CLI and window use."""
