"""Processing opens only the object it was given: no playlists, no network, no tokens in argv."""

from __future__ import annotations

import http.server
import os
import shlex
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.services.processing import ProcessingFailed, default_processor
from shared.media.ffmpeg_locator import find_ffmpeg, find_ffprobe
from shared.media.hashing import sha1_file
from tests.server.flows import complete, initiate, uploaded_media
from tests.support.api import Account, new_account
from tests.support.b2 import scoped_bucket
from tests.support.live_server import LiveServer, live_server

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A loopback web server that records every request the server is tricked into making."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=web.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{web.server_address[1]}", hits
    finally:
        web.shutdown()
        web.server_close()


def stored_playlist(
    server: LiveServer, tmp_path: Path, base: str
) -> tuple[Account, Path, dict[str, Any]]:
    """An HLS playlist pointing at ``base``, uploaded as a session's "video"."""
    path = tmp_path / "lecture.mp4"
    path.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n"
        f"#EXTINF:10,\n{base}/internal-secret.ts\n#EXT-X-ENDLIST\n",
        encoding="utf-8",
    )
    account = new_account(server)
    data = initiate(account, path)
    scoped_bucket(data["b2"]).upload_local_file(
        str(path), data["storageKey"], content_type=PLAYLIST_TYPE
    )
    return account, path, data


def test_complete_refuses_a_playlist_uploaded_as_a_video(
    sqlite_server: LiveServer, tmp_path: Path, listener: tuple[str, list[str]]
) -> None:
    base, hits = listener
    account, path, data = stored_playlist(sqlite_server, tmp_path, base)
    answer = complete(account, data, sha1_file(path))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "unsupported_container"
    time.sleep(3)  # a processing job, had one been queued, would have run by now
    assert hits == []


def test_processing_never_follows_a_stored_playlist(
    sqlite_server: LiveServer, tmp_path: Path, listener: tuple[str, list[str]]
) -> None:
    """Even an object that got past complete is probed as one local file only."""
    base, hits = listener
    _account, _path, data = stored_playlist(sqlite_server, tmp_path, base)
    with pytest.raises(ProcessingFailed):
        default_processor(sqlite_server.app.state.storage, data["storageKey"])
    assert hits == []


def test_ffprobe_command_line_carries_no_url_or_token(
    tmp_path: Path, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrapper ffprobe records its argv; processing must hand it a local file only."""
    tools = tmp_path / "tools"
    tools.mkdir()
    argv_log = tmp_path / "ffprobe-argv.txt"
    wrapper = tools / "ffprobe"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$*" >> {shlex.quote(str(argv_log))}\n'
        f'exec {shlex.quote(str(find_ffprobe()))} "$@"\n'
    )
    wrapper.chmod(0o755)
    os.symlink(find_ffmpeg(), tools / "ffmpeg")
    monkeypatch.setenv("REELDROP_FFMPEG_DIR", str(tools))
    with live_server(tmp_path / "server", run_background=True) as server:
        account = new_account(server)
        media = uploaded_media(account, videos["mp4"])
        deadline = time.monotonic() + 120
        status = media["status"]
        while status not in ("ready", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            status = account.get(f"/api/v1/media/media/{media['id']}").json()["data"]["status"]
        assert status == "ready"
    lines = argv_log.read_text().splitlines()
    assert lines, "processing did not run ffprobe"
    for line in lines:
        assert "http" not in line and "Authorization" not in line, line
        assert "-protocol_whitelist file" in line and "-format_whitelist" in line, line
