"""What a terminal shows of a job, read from the control API's JSON as it is.

``reeldrop upload --wait`` follows its files for the whole upload. Reading the answers
through the wire schemas would import pydantic and build every model first: about 0.15 s
of CPU, spent while the daemon probes the file and opens the upload, on a machine whose
cores the upload needs. The few fields a terminal line shows are read here instead; the
schemas (``shared.control.schemas.JobView``) stay what the window and the tests use. A
named tuple, not a dataclass: ``dataclasses`` imports ``inspect``, about 10 ms of the
command's start (see ``shared.app_dirs``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from shared.control.states import JobState


class JobLine(NamedTuple):
    id: str
    path: str
    filename: str
    state: JobState
    bytes_sent: int = 0
    total_bytes: int = 0
    speed_bps: float | None = None
    eta_seconds: int | None = None
    cdn_url: str | None = None
    error: str | None = None  # the message of the job's error: why it stopped or waits

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobLine:
        """One job of a control API answer (camelCase, as the daemon sends it); a field the
        daemon does not send reads as nothing. A state this command does not know (a
        daemon of another version still running) is a ValueError, as it failed the views;
        the command reads only the jobs it follows."""
        error = data.get("error")
        message = str(error.get("message") or error.get("code") or "") if error else ""
        return cls(
            id=str(data["id"]),
            path=str(data["path"]),
            filename=str(data["filename"]),
            state=JobState(data["state"]),
            bytes_sent=int(data.get("bytesSent") or 0),
            total_bytes=int(data.get("totalBytes") or 0),
            speed_bps=_number(data.get("speedBps")),
            eta_seconds=_integer(data.get("etaSeconds")),
            cdn_url=data.get("cdnUrl") or None,
            error=message or None,
        )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _integer(value: Any) -> int | None:
    return None if value is None else int(value)
