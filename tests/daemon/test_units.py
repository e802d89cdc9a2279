"""Small pieces with sharp edges: rates, redaction, the state table, token files."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from daemon.jobs.states import TRANSITIONS, IllegalTransition, JobState, check_transition
from daemon.logging_setup import RedactingFilter, setup_logging
from daemon.secrets import FileTokenStore, keyring_usable
from daemon.settings import SettingError, parse_rate
from shared.library_logs import CHATTY


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5MB/s", 5_000_000),
        ("500KB/s", 500_000),
        ("1.5MiB/s", 1_572_864),
        ("2 mb/s", 2_000_000),
        ("0", None),
        ("none", None),
        ("100000", 100_000),
    ],
)
def test_rates(text: str, value: int | None) -> None:
    assert parse_rate(text) == value


@pytest.mark.parametrize("text", ["fast", "5 parsecs", "-3MB/s", "1KB/s"])
def test_bad_rates_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(SettingError):
        parse_rate(text)


def test_every_illegal_transition_is_refused() -> None:
    for old in JobState:
        for new in JobState:
            if new in TRANSITIONS[old] or new == old:
                continue
            with pytest.raises(IllegalTransition):
                check_transition(old, new)
    check_transition(JobState.UPLOADING, JobState.COMPLETING)
    with pytest.raises(IllegalTransition):
        check_transition(JobState.DONE, JobState.QUEUED)


def test_log_records_lose_their_secrets(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    handler = logging.FileHandler(path)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("redaction-test")
    logger.addHandler(handler)
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop"
    logger.warning("sending Authorization: Bearer %s", jwt)
    logger.warning("key %s", {"applicationKey": "K0123456789abcdefghijklmnopqrstu"})
    logger.warning("login password=hunter2-secret refreshToken=abc.def")
    try:
        raise ValueError(f"failed with token={jwt}")
    except ValueError:
        logger.exception("boom")
    handler.close()
    text = path.read_text()
    for secret in (jwt, "K0123456789abcdefghijklmnopqrstu", "hunter2-secret", "abc.def"):
        assert secret not in text
    assert "[redacted" in text and "boom" in text


def test_the_daemon_log_keeps_library_warnings_but_not_their_chatter(tmp_path: Path) -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in CHATTY}
    try:
        for name in CHATTY:  # as in a fresh process, whatever other tests set
            logging.getLogger(name).setLevel(logging.NOTSET)
        path = setup_logging(tmp_path / "logs")
        logging.getLogger("daemon.pipeline.stages").info("job 1: upload stopped")
        stats = logging.getLogger("b2sdk._internal.transfer.inbound.downloader.stats_collector")
        stats.info("download stats | part[0:15] | TTFB: 0.024 ms")
        logging.getLogger("httpx").info('HTTP Request: PUT http://127.0.0.1/progress "200"')
        retry = logging.getLogger("b2sdk._internal.b2http")
        retry.info("Pausing thread for 3 seconds because that is what the default says")
        logging.getLogger("urllib3.connectionpool").warning("Retrying after connection broken")
    finally:
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
    text = path.read_text()
    assert "upload stopped" in text and "Retrying after connection broken" in text
    assert "Pausing thread for 3 seconds" in text  # b2sdk's own retry notice stays
    assert "download stats" not in text and "HTTP Request" not in text


def test_file_token_store_is_private(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "data" / "refresh-token")
    assert store.load() is None
    store.save("tok-1")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.save("tok-2")
    assert store.load() == "tok-2"
    store.clear()
    assert store.load() is None


def test_keyring_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    assert not keyring_usable()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    keyring.core.init_backend()
    assert keyring_usable()
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    keyring.core.init_backend()
    if type(keyring.get_keyring()).__module__.startswith("keyrings.alt"):
        assert not keyring_usable(), "a plaintext stand-in must be chosen on purpose"
