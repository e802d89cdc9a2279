"""The daemon's loopback control API: wire schemas and the one client the CLI and window use."""

MAX_JOB_IDS = 200
"""Job ids in one ``GET /v1/jobs?id=...``: the daemon refuses more, the client asks for all."""
