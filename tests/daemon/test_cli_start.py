"""``reeldrop upload`` hands its files to the daemon at once and loads nothing heavy: the
daemon starts probing while the command is still starting up, and the command's CPU stays
off the cores the upload needs.

The command runs as its own process against a stand-in daemon (a plain HTTP server with
the control file); a hook in the command records, in order, each request it sends and
each import of the wire-schema and HTTP libraries (``http.client`` included: it brings
the e-mail parser and ``ssl``), of ``dataclasses`` (it brings ``inspect``), of
``subprocess`` (only starting a daemon needs it) and of the modules that register the
other commands."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JOB = {
    "id": "job1",
    "path": "",
    "filename": "lecture.mp4",
    "state": "queued",
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-01T00:00:00Z",
}
RECORDER = """
import runpy, socket, sys
class Imports:
    def find_spec(self, name, path=None, target=None):
        if (
            name.split(".")[0] in ("pydantic", "httpx", "server", "daemon", "desktop")
            or name in ("http.client", "dataclasses", "subprocess")
            or name.startswith("reeldrop.") and name.endswith(("_command", "_commands", "cli"))
        ):
            print("import", name, file=sys.stderr)
sys.meta_path.insert(0, Imports())
send = socket.socket.sendall
def sendall(sock, data, *rest):
    data = bytes(data)
    if data[:4] in (b"GET ", b"POST", b"PUT ", b"DELE"):
        method, path = data.split(b" ")[:2]
        print("send", method.decode(), path.decode(), file=sys.stderr)
    return send(sock, data, *rest)
socket.socket.sendall = sendall
sys.argv = ["reeldrop", *sys.argv[1:]]
runpy.run_module("reeldrop", run_name="__main__")
"""


def reply(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class StandInDaemon(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.answer({"signedIn": True, "state": "signed_in"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.answer({"jobs": [{**JOB, "path": body["paths"][0]}]})

    def answer(self, data: object, status: int = 200) -> None:
        reply(self, status, "application/json", json.dumps(data).encode())

    def log_message(self, *args: object) -> None:
        pass


def recorded_upload(daemon_home: Path, video: Path) -> subprocess.CompletedProcess[str]:
    """``reeldrop upload VIDEO`` under the recorder, against the stand-in daemon."""
    return subprocess.run(
        [sys.executable, "-c", RECORDER, "upload", str(video)],
        cwd=ROOT,
        env={"REELDROP_HOME": str(daemon_home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def daemon_home(tmp_path: Path) -> Iterator[Path]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInDaemon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    home = tmp_path / "home"
    (home / "run").mkdir(parents=True)
    control = {"port": server.server_address[1], "token": "t0ken"}
    (home / "run" / "control.json").write_text(json.dumps(control))
    try:
        yield home
    finally:
        server.shutdown()


def test_upload_never_loads_the_wire_schemas_or_http_libraries(
    daemon_home: Path, tmp_path: Path
) -> None:
    """The daemon's answer is read as job lines: building the pydantic models would cost
    the command about 0.15 s of CPU while the daemon probes and opens the upload."""
    video = tmp_path / "lecture.mp4"
    video.write_bytes(b"not really a video")
    ran = recorded_upload(daemon_home, video)
    assert ran.returncode == 0, ran.stderr
    assert f"job1  {video}" in ran.stdout
    events = ran.stderr.splitlines()
    assert "send POST /v1/jobs" in events, events
    assert not [line for line in events if line.startswith("import pydantic")], events
    assert not [line for line in events if line.startswith("import http")], events
    assert "import dataclasses" not in events, "dataclasses brings inspect: 10 ms of start"
    before_hand_over = events[: events.index("send POST /v1/jobs")]
    assert "import subprocess" not in before_hand_over, "3 ms before the files reach the daemon"


def test_upload_registers_only_the_commands_of_its_own_module(
    daemon_home: Path, tmp_path: Path
) -> None:
    """Importing every command's module and building every parser would cost the command
    about 20 ms before its files reach the daemon."""
    video = tmp_path / "lecture.mp4"
    video.write_bytes(b"not really a video")
    ran = recorded_upload(daemon_home, video)
    assert ran.returncode == 0, ran.stderr
    imported = {line.split()[1] for line in ran.stderr.splitlines() if line.startswith("import ")}
    assert imported - {"dataclasses", "subprocess"} == {
        "reeldrop.cli",
        "reeldrop.client_commands",
    }, imported


def test_each_command_is_registered_by_the_module_the_table_names() -> None:
    """``COMMAND_MODULES`` decides which module a command line imports: a command missing
    from it, or named with the wrong module, would not be found when named alone."""
    import argparse
    import importlib

    from reeldrop.cli import COMMAND_MODULES, build_parser

    for module in set(COMMAND_MODULES.values()):
        subparsers = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(subparsers)
        assert {c: module for c in subparsers.choices} == {
            c: m for c, m in COMMAND_MODULES.items() if m == module
        }
    everything = build_parser()._subparsers
    assert everything is not None
    listed = everything._group_actions[0].choices
    assert listed is not None and list(listed) == list(COMMAND_MODULES)
    for command, module in COMMAND_MODULES.items():
        alone = build_parser(command)._subparsers
        assert alone is not None
        assert command in (alone._group_actions[0].choices or {}), (command, module)


def test_upload_hands_the_files_over_in_its_first_request(
    daemon_home: Path, tmp_path: Path
) -> None:
    """No round trip to ask whether the daemon is up before the files reach it: the
    answer to the hand-over says so (the daemon probes meanwhile)."""
    video = tmp_path / "lecture.mp4"
    video.write_bytes(b"not really a video")
    ran = recorded_upload(daemon_home, video)
    assert ran.returncode == 0, ran.stderr
    sent = [line for line in ran.stderr.splitlines() if line.startswith("send ")]
    assert sent == ["send POST /v1/jobs"], sent


class OtherProgram(BaseHTTPRequestHandler):
    """Whatever took the port of a daemon that died without removing its control file."""

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def answer(self) -> None:
        reply(self, 404, "text/html", b"<html><body>Not Found</body></html>")

    def log_message(self, *args: object) -> None:
        pass


class RefusingDaemon(StandInDaemon):
    """The daemon, up, refusing the files (as it does a path that does not exist)."""

    posts: list[str] = []

    def do_POST(self) -> None:
        self.posts.append(self.path)
        self.answer({"error": {"code": "not_found", "message": "x does not exist"}}, 422)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


def test_a_stale_control_file_on_another_programs_port_starts_the_daemon(
    daemon_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reeldrop import client_commands, daemon_process

    control_file = daemon_home / "run" / "control.json"
    daemon_control = control_file.read_text()
    started: list[bool] = []

    def spawn_daemon() -> None:  # a starting daemon writes its control file
        started.append(True)
        control_file.write_text(daemon_control)

    monkeypatch.setenv("REELDROP_HOME", str(daemon_home))
    monkeypatch.setattr(daemon_process, "spawn_daemon", spawn_daemon)
    video = str(tmp_path / "lecture.mp4")
    with serving(OtherProgram) as port:
        control_file.write_text(json.dumps({"port": port, "token": "stale"}))
        _client, answer = client_commands._hand_over([video], None)
    assert started, "a daemon was started"
    assert [job["path"] for job in answer["jobs"]] == [video]


def test_the_daemons_own_refusal_stands(
    daemon_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reeldrop import client_commands, daemon_process
    from shared.control.client import ControlError

    started: list[bool] = []
    monkeypatch.setenv("REELDROP_HOME", str(daemon_home))
    monkeypatch.setattr(daemon_process, "spawn_daemon", lambda: started.append(True))
    with serving(RefusingDaemon) as port:
        (daemon_home / "run" / "control.json").write_text(
            json.dumps({"port": port, "token": "t0ken"})
        )
        with pytest.raises(ControlError, match="does not exist"):
            client_commands._hand_over([str(tmp_path / "x")], None)
    assert not started, "no second daemon for a refusal"
    assert RefusingDaemon.posts == ["/v1/jobs"], "the files were refused once, not sent again"
