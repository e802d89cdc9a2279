"""One upload session's credentials touch only what that session writes.

A user's sessions share the name prefix ``videos/{userId}/`` (clients list and read their
own files under it), so the store holds each session's key to the names and large files
the session itself wrote, and the key dies when the session completes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from b2sdk.v2 import exception as b2_exceptions

from shared.media.hashing import sha1_file
from tests.server.flows import browser_post, complete, initiate, uploaded_media
from tests.support.api import Account, new_account
from tests.support.b2 import scoped_bucket, upload_as_client
from tests.support.live_server import LiveServer


def served(media: dict[str, Any]) -> bytes:
    return httpx.get(media["cdnUrl"], timeout=60).content


def test_a_session_cannot_replace_or_hide_another_sessions_video(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(sqlite_server)
    lecture = uploaded_media(account, videos["mp4"])
    other = initiate(account, videos["large"])
    bucket = scoped_bucket(other["b2"])
    target = lecture["storageKey"]

    posted = browser_post(other, target, b"<html><script>alert(1)</script></html>")
    assert posted.status_code == 401, posted.text
    assert "another upload" in posted.json()["message"]
    with pytest.raises(b2_exceptions.B2Error, match="another upload"):
        bucket.upload_bytes(b"replacement", target)
    with pytest.raises(b2_exceptions.B2Error, match="another upload"):
        bucket.hide_file(target)
    with pytest.raises(b2_exceptions.B2Error, match="another upload"):
        bucket.api.session.start_large_file(other["b2"]["bucketId"], target, "video/mp4", {})
    with pytest.raises(b2_exceptions.B2Error, match="another upload"):
        bucket.copy(bucket.get_file_info_by_name(target).id_, target)

    assert served(lecture) == videos["mp4"].read_bytes()
    upload_as_client(other, videos["large"])  # its own name still works
    assert complete(account, other, sha1_file(videos["large"])).status_code == 200


def test_a_session_cannot_touch_another_sessions_large_file(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(sqlite_server)
    first, second = initiate(account, videos["large"]), initiate(account, videos["large"])
    owner, intruder = scoped_bucket(first["b2"]), scoped_bucket(second["b2"])
    started = owner.api.session.start_large_file(
        first["b2"]["bucketId"], first["storageKey"], "video/mp4", {}
    )
    file_id = started["fileId"]
    calls = [
        lambda s: s.get_upload_part_url(file_id),
        lambda s: s.list_parts(file_id, 1, 100),
        lambda s: s.finish_large_file(file_id, ["0" * 40, "1" * 40]),
        lambda s: s.cancel_large_file(file_id),
    ]
    for make_call in calls:
        with pytest.raises(b2_exceptions.B2Error, match="its upload session started"):
            make_call(intruder.api.session)

    assert owner.api.session.list_parts(file_id, 1, 100)["parts"] == []
    owner.api.session.cancel_large_file(file_id)  # the owner still can


def test_a_completed_sessions_credentials_are_dead(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    """Once ``complete`` has checked the video, nothing may replace it with something else."""
    account = new_account(sqlite_server)
    data = initiate(account, videos["mp4"])
    upload_as_client(data, videos["mp4"])
    done = complete(account, data, sha1_file(videos["mp4"]))
    assert done.status_code == 200, done.text

    swapped = browser_post(data, data["storageKey"], b"#EXTM3U\n#EXT-X-ENDLIST\n")
    assert swapped.status_code == 401, swapped.text
    with pytest.raises(b2_exceptions.B2Error):
        scoped_bucket(data["b2"]).upload_bytes(os.urandom(100), data["storageKey"])
    assert served(done.json()["data"]) == videos["mp4"].read_bytes()


@pytest.mark.parametrize("ending", ["complete", "cancel"])
def test_credentials_made_while_the_session_ends_die_with_it(
    sqlite_server: LiveServer, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    """Fresh credentials asked for while ``complete`` (or ``cancel``) ends the session: the
    key made meanwhile must not outlive the session it was made for, whichever request
    commits first; the client asking is told the session ended."""
    account, data, storage = uploaded_session(sqlite_server, videos["mp4"])
    make_key = storage.create_upload_key
    ended: list[httpx.Response] = []

    def key_while_the_session_ends(*args: Any, **kwargs: Any) -> Any:
        made = make_key(*args, **kwargs)
        if not ended:  # the other request runs to its end before this key is recorded
            if ending == "complete":
                ended.append(complete(account, data, sha1_file(videos["mp4"])))
            else:
                ended.append(account.post(f"/api/v1/media/upload/cancel/{data['sessionKey']}"))
        fresh.append(made)
        return made

    fresh: list[Any] = []
    monkeypatch.setattr(storage, "create_upload_key", key_while_the_session_ends)
    asked = account.post(f"/api/v1/media/upload/credentials/{data['sessionKey']}")
    assert ended and ended[0].status_code == 200, ended[0].text
    assert asked.status_code == 409, asked.text
    (made,) = fresh
    key = {**data["b2"], "keyId": made.key_id, "applicationKey": made.application_key}
    assert_dead(key, data["storageKey"])


def test_credentials_made_while_complete_checks_the_video_die_with_the_session(
    sqlite_server: LiveServer, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other order: the fresh key is recorded while ``complete`` checks the stored
    video, before it commits. ``complete`` deletes the key it finds after its commit."""
    account, data, storage = uploaded_session(sqlite_server, videos["mp4"])
    read_video = storage.head_object
    renewed: list[httpx.Response] = []

    def renewed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if not renewed:
            renewed.append(account.post(f"/api/v1/media/upload/credentials/{data['sessionKey']}"))
        return read_video(*args, **kwargs)

    monkeypatch.setattr(storage, "head_object", renewed_meanwhile)
    done = complete(account, data, sha1_file(videos["mp4"]))
    assert done.status_code == 200, done.text
    assert renewed and renewed[0].status_code == 200, renewed[0].text
    assert_dead({**data["b2"], **renewed[0].json()["data"]}, data["storageKey"])


def uploaded_session(server: LiveServer, video: Path) -> tuple[Account, dict[str, Any], Any]:
    """A session whose video is stored, not yet completed, and the server's storage."""
    account = new_account(server)
    data = initiate(account, video)
    upload_as_client(data, video)
    return account, data, server.app.state.storage


def assert_dead(key: dict[str, Any], name: str) -> None:
    with pytest.raises(b2_exceptions.B2Error):
        scoped_bucket(key).upload_bytes(os.urandom(100), name)
