"""The raw baseline every upload figure is a ratio to: run as a command, it must store the
whole file, byte for byte, in the real embedded store (a baseline that lost a part would
look fast), and its key must reach it through the environment, not its command line."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

import bench.peers as peers_module
from bench import raw_client
from bench.peers import raw_command
from bench.stack import server_process


def test_the_raw_baseline_command_stores_the_whole_file_and_keeps_its_key_off_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = tmp_path / "lecture.mp4"
    video.write_bytes(os.urandom(12_000_001))  # three parts, the last one short
    commands: list[list[str]] = []
    run_command = peers_module._command

    def recorded(args: list[str], *rest: Any) -> None:
        commands.append(list(args))
        run_command(args, *rest)

    monkeypatch.setattr(peers_module, "_command", recorded)
    with server_process(tmp_path / "server") as server:
        info = server.store()
        raw_command(server, 5_000_000, 2)(video, "bench/lecture.mp4")
        account = server.master()
        listing = raw_client.call(
            f"{account.api_url}/b2api/v3/b2_list_file_names",
            account.token,
            {"bucketId": info["bucketId"]},
        )
        (stored,) = listing["files"]
        assert stored["fileName"] == "bench/lecture.mp4"
        assert stored["contentLength"] == video.stat().st_size
        download = httpx.get(
            f"{server.url}/file/{info['bucketName']}/bench/lecture.mp4",
            headers={"Authorization": account.token},
            timeout=60,
        )
        assert download.status_code == 200, download.text[:300]
        assert hashlib.sha1(download.content).digest() == hashlib.sha1(video.read_bytes()).digest()
    (command,) = commands
    assert info["applicationKey"] not in " ".join(command)
