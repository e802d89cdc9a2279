"""The applications-menu entry: icons, MIME types, and "Open with ReelDrop" queues a video."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared import desktop_entry
from shared.control.client import ControlClient
from tests.support.api import PASSWORD, add_user
from tests.support.daemon import DaemonProcess, home_dirs, wait_until
from tests.support.desktop_entries import entry_fields, launch_argv
from tests.support.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("entry-server"), run_background=True) as live:
        yield live


def test_install_writes_entry_and_icon_set_and_remove_takes_them_away(tmp_path: Path) -> None:
    written = desktop_entry.install(tmp_path)
    entry = tmp_path / "applications" / "reeldrop.desktop"
    assert written[0] == entry
    fields = entry_fields(entry.read_text())
    assert fields["Type"] == "Application" and fields["Name"] == "ReelDrop"
    assert fields["Icon"] == "reeldrop"
    mime = fields["MimeType"].rstrip(";").split(";")
    assert {"video/mp4", "video/quicktime", "video/webm", "video/x-matroska"} <= set(mime)
    assert fields["Exec"].endswith(" upload %F")
    for size in desktop_entry.ICON_SIZES:
        png = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "reeldrop.png"
        assert int.from_bytes(png.read_bytes()[16:20], "big") == size
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "reeldrop.svg").is_file()
    desktop_entry.remove(tmp_path)
    assert not entry.exists()
    assert not list((tmp_path / "icons").rglob("reeldrop.*"))


@pytest.mark.slow
def test_open_with_reeldrop_queues_the_video_even_with_the_daemon_stopped(
    server: LiveServer, tmp_path: Path, videos: dict[str, Path]
) -> None:
    daemon = DaemonProcess(tmp_path / "home").start()
    daemon.login(server.url, add_user(server), PASSWORD, "--insecure-storage")
    daemon.stop()
    entry = desktop_entry.install(tmp_path / "xdg-data")[0].read_text()
    launched = subprocess.run(
        launch_argv(entry, [str(videos["webm"])]),
        env=daemon.env, capture_output=True, text=True, timeout=120,
    )
    client: ControlClient | None = None
    try:
        assert launched.returncode == 0, launched.stderr
        client = ControlClient.from_runtime_dir(home_dirs(daemon.home))
        job_id = launched.stdout.split()[0]
        wait_until(
            lambda: client.job(job_id).state == "done", 120,  # type: ignore[union-attr]
            "the opened video was not uploaded",
        )
        assert client.job(job_id).path == str(videos["webm"])
    finally:
        if client is not None:
            client.shutdown()
