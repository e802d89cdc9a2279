"""Read desktop entries back the way a Linux launcher does."""

from __future__ import annotations


def parse_exec(line: str) -> list[str]:
    """Split an Exec value the way the Desktop Entry Specification says launchers do."""
    args: list[str] = []
    current: list[str] | None = None
    quoted = False
    chars = iter(line.replace("%%", "%"))
    for c in chars:
        if quoted:
            if c == "\\":
                current.append(next(chars))  # type: ignore[union-attr]
            elif c == '"':
                quoted = False
            else:
                current.append(c)  # type: ignore[union-attr]
        elif c == " ":
            if current is not None:
                args.append("".join(current))
                current = None
        else:
            current = current if current is not None else []
            if c == '"':
                quoted = True
            else:
                current.append(c)
    if current is not None:
        args.append("".join(current))
    return args


def entry_fields(text: str) -> dict[str, str]:
    """``key -> value`` of the ``[Desktop Entry]`` group."""
    fields = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            fields[key.strip()] = value
    return fields


def launch_argv(text: str, files: list[str]) -> list[str]:
    """The command a launcher runs for ``Exec=`` with ``files`` chosen (%F expanded)."""
    argv = []
    for arg in parse_exec(entry_fields(text)["Exec"]):
        argv.extend(files if arg in ("%F", "%U") else [arg])
    return argv
