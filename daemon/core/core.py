"""The one daemon core every front end drives: the control API's routers, the folder
watcher and the tests call these methods; nothing here knows about HTTP or Qt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from daemon.core.account import AccountManager
from daemon.core.connectivity import Connectivity
from daemon.core.events import EventBus
from daemon.core.jobs import JobService
from daemon.core.library import Library
from daemon.jobs.states import JobState
from daemon.jobs.store import JobStore
from daemon.outbox import Outbox
from daemon.pipeline.runner import RUNNABLE, JobRunner
from daemon.pipeline.stages import Stages
from daemon.serverapi.client import ServerClient
from daemon.serverapi.errors import ServerUnavailable
from daemon.settings import Settings, parse_rate, save_settings
from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.uploader import B2Uploader, Uploader
from shared.control.schemas import JobSource, JobView, SettingsView, StatusView
from shared.policy import Policy

log = logging.getLogger(__name__)
S = JobState


class DaemonCore:
    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        settings: Settings,
        settings_path: Path,
        data_dir: Path,
        thumbs_dir: Path,
        make_client: Callable[..., ServerClient] = ServerClient,
        uploader: Callable[[BandwidthLimiter], Uploader] = B2Uploader,
    ) -> None:
        self.settings, self.settings_path = settings, settings_path
        self.bus = EventBus()
        self.connectivity = Connectivity(self.bus)
        self.store = JobStore(factory, self.bus)
        self.outbox = Outbox(factory)
        self.limiter = BandwidthLimiter(parse_rate(settings.bandwidth_limit))
        self._policy = Policy()
        self.stages = Stages(
            self.store,
            uploader(self.limiter),
            thumbs_dir,
            self.client,
            self.policy,
            self.connectivity,
        )
        self.runner = JobRunner(
            self.store,
            self.stages,
            self.outbox,
            self.client,
            settings.concurrent_uploads,
            self.policy,
        )
        self.jobs = JobService(self.store, self.runner, self.policy)
        self.account = AccountManager(
            settings, settings_path, data_dir, self.bus, self._client_changed, make_client
        )
        self.stages.on_signed_out = self.account.lost
        self.stages.lookups.on_enqueued = self.runner.wake
        self.library = Library(self.client)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Sign back in first, so jobs that were uploading resume at once instead of
        failing with "not signed in" and leaving their slots to new jobs."""
        try:
            self.account.restore()
        except Exception:
            log.exception("the stored sign-in could not be restored")
        self.runner.start()

    def stop(self, grace: float = 0.0) -> int:
        """Cancel every run, end the event streams, and give the requests still in flight
        ``grace`` seconds; how many are left running (the process may leave them: each is
        made again, or its session expires, after the next start)."""
        self.runner.stop()
        self.bus.close()
        return self.stages.close(grace)

    def client(self) -> ServerClient | None:
        return self.account.client

    def policy(self) -> Policy:
        return self._policy

    def _client_changed(self, client: ServerClient | None) -> None:
        """Signed in (a client) or out (None). Waiting jobs and calls get a new chance."""
        try:
            if client is not None:
                client.on_reachable = self._reachability
                try:
                    self._policy = client.policy()
                except ServerUnavailable:
                    log.info("server policy not reachable; validating with the defaults")
                except Exception as exc:  # advisory: a sign-in never fails on it
                    log.warning(
                        "server policy unreadable (%s); validating with the defaults",
                        type(exc).__name__,
                    )
                for job in self.store.in_states(RUNNABLE):  # waiting in any stage
                    if job.error_code == "not_signed_in":
                        self.store.update(
                            job.id, next_attempt_at=None, error_code=None, error_message=None
                        )
                self.outbox.retry_now()
        finally:
            self.runner.wake()  # the client changed whatever else failed: calls may go now

    def _reachability(self, answered: bool) -> None:
        if answered:
            self.connectivity.reachable()
        elif not self.connectivity.is_unreachable:
            self.connectivity.unreachable(10)

    # -- jobs ------------------------------------------------------------------------------

    def add_files(
        self,
        paths: list[Path],
        course_id: str | None = None,
        source: JobSource = "cli",
        watch_folder: str | None = None,
    ) -> list[JobView]:
        """Queue every video in ``paths`` (files or folders). Raises InvalidRequest for a
        path that does not exist or a course the user does not teach; idempotent."""
        self.check_course(course_id)
        return self.jobs.add_files(paths, course_id, source, watch_folder)

    def delete_media(self, media_id: str) -> dict[str, Any]:
        """Delete a media file on the server (soft delete: its bytes stop being served) and
        forget the uploads that stood for it."""
        deleted = self.library.delete(media_id)
        self.jobs.forget_media(media_id)
        return deleted

    def check_course(self, course_id: str | None) -> None:
        """Raise InvalidRequest for a course the user does not teach (while signed in; the
        server has the last word when the upload is initiated)."""
        if course_id and self.client() is not None:
            self.library.check_course(course_id)

    # -- status and settings ---------------------------------------------------------------

    def settings_view(self) -> SettingsView:
        return SettingsView(
            bandwidth_limit=self.settings.bandwidth_limit,
            concurrent_uploads=self.settings.concurrent_uploads,
        )

    def status(self) -> StatusView:
        return StatusView(
            jobs=self.jobs.all(),
            account=self.account.view(),
            settings=self.settings_view(),
            connectivity=self.connectivity.view(),
        )

    def get_settings(self) -> dict[str, str]:
        return self.settings.as_dict()

    def set_settings(self, values: dict[str, str]) -> dict[str, str]:
        """All or nothing: every key is checked (SettingError) before any is applied."""
        for key, value in values.items():
            self.settings.check(key, str(value))
        for key, value in values.items():
            self.settings.set(key, str(value))
        save_settings(self.settings_path, self.settings)
        self.limiter.set_rate(parse_rate(self.settings.bandwidth_limit))
        self.runner.concurrency = max(1, self.settings.concurrent_uploads)
        self.runner.wake()
        current = self.settings.as_dict()
        self.bus.data("settings", dict(current))
        return current
