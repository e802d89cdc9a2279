"""Subcommands of ``reeldrop`` (filled in by the part that owns them)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this part's subcommands; each sets ``handler`` to a function of ``args``."""
