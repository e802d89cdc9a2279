"""The ``reeldrop`` command: one entry point that dispatches to each part's subcommands."""
