"""The media API as the daemon uses it. The access token lives in memory only; the refresh
token lives in a TokenStore, rotated on every refresh."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from shared import __version__
from shared.api_schemas import (
    B2UploadKey,
    CompleteRequest,
    CourseOut,
    InitiateRequest,
    InitiateResponse,
    MediaFileOut,
    MediaPage,
    ProgressOut,
    ProgressReport,
    TokenPair,
    UserOut,
)
from shared.policy import Policy
from shared.url_path import segment

IDLE_CONNECTION_SECONDS = 4.0
"""How long an idle connection to the server is reused: below the idle timeouts servers and
proxies commonly close at (uvicorn 5 s; ``reeldrop server serve`` 75 s), so a request is
never sent on a connection the server is closing at that very moment."""


class TokenStore(Protocol):
    kind: str

    def load(self) -> str | None: ...
    def save(self, token: str) -> None: ...
    def clear(self) -> None: ...


class ServerClient:
    def __init__(self, base_url: str, token_store: TokenStore, *, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_store = token_store
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": f"ReelDrop/{__version__}"},
            limits=httpx.Limits(
                max_connections=100,  # httpx's defaults, which Limits() alone would lift
                max_keepalive_connections=20,
                keepalive_expiry=IDLE_CONNECTION_SECONDS,
            ),
        )
        self._access: str | None = None
        self._lock = threading.Lock()
        self.user: UserOut | None = None
        self.on_reachable: Callable[[bool], None] | None = None
        """Told after every request whether the server answered, for the daemon's status."""

    def close(self) -> None:
        self._http.close()

    # -- plumbing --------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, auth: bool = True, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._access}"} if auth and self._access else {}
        try:
            response = self._http.request(method, path, headers=headers, **kw)
        except httpx.HTTPError as exc:
            self._tell(response_ok=False)
            raise ServerUnavailable(
                f"the server at {self.base_url} did not answer ({type(exc).__name__})"
            ) from None
        self._tell(response_ok=response.status_code < 500)
        return response

    def _tell(self, *, response_ok: bool) -> None:
        if self.on_reachable is not None:
            self.on_reachable(response_ok)

    @staticmethod
    def _data(response: httpx.Response) -> Any:
        if response.status_code >= 500:
            raise ServerUnavailable(f"the server failed ({response.status_code})")
        try:
            body = response.json()
        except ValueError:
            raise ServerUnavailable(
                f"the server answered {response.status_code} without JSON"
            ) from None
        if response.status_code >= 400 or not body.get("success"):
            error = body.get("error") or {}
            raise ServerRejected(
                response.status_code,
                str(error.get("code", "error")),
                str(error.get("message", "the server refused the request")),
            )
        return body["data"]

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        if self._access is None:
            self.refresh()
        response = self._send(method, path, **kw)
        if response.status_code == 401:
            self.refresh()
            response = self._send(method, path, **kw)
            if response.status_code == 401:
                raise NotSignedIn("the server no longer accepts this sign-in")
        return self._data(response)

    # -- sign-in ---------------------------------------------------------------------------

    def login(self, email: str, password: str) -> TokenPair:
        data = self._data(
            self._send(
                "POST",
                "/api/v1/auth/login",
                auth=False,
                json={"email": email, "password": password},
            )
        )
        pair = TokenPair.model_validate(data)
        self._adopt(pair)
        return pair

    def _adopt(self, pair: TokenPair) -> None:
        self._access = pair.access_token
        self.user = pair.user
        self.token_store.save(pair.refresh_token)

    def refresh(self) -> None:
        with self._lock:
            refresh_token = self.token_store.load()
            if not refresh_token:
                raise NotSignedIn("not signed in")
            response = self._send(
                "POST", "/api/v1/auth/refresh", auth=False, json={"refreshToken": refresh_token}
            )
            if response.status_code == 401:
                self.token_store.clear()
                raise NotSignedIn("the sign-in expired or was revoked; sign in again")
            self._adopt(TokenPair.model_validate(self._data(response)))

    def logout(self) -> None:
        refresh_token = self.token_store.load()
        try:
            if refresh_token:
                self._call("POST", "/api/v1/auth/logout", json={"refreshToken": refresh_token})
        finally:
            self.token_store.clear()
            self._access, self.user = None, None

    def revoke(self, refresh_token: str) -> None:
        """Revoke another refresh token of this user (one an earlier sign-in left behind)."""
        self._call("POST", "/api/v1/auth/logout", json={"refreshToken": refresh_token})

    # -- media API -------------------------------------------------------------------------

    def me(self) -> UserOut:
        return UserOut.model_validate(self._call("GET", "/api/v1/auth/me"))

    def policy(self) -> Policy:
        return Policy.model_validate(
            self._data(self._send("GET", "/api/v1/media/policy", auth=False))
        )

    def initiate(self, request: InitiateRequest) -> InitiateResponse:
        return InitiateResponse.model_validate(
            self._call(
                "POST",
                "/api/v1/media/upload/initiate",
                json=request.model_dump(mode="json", by_alias=True, exclude_none=True),
            )
        )

    def report_progress(self, session_key: str, report: ProgressReport) -> ProgressOut:
        return ProgressOut.model_validate(
            self._call(
                "PUT",
                f"/api/v1/media/upload/progress/{segment(session_key)}",
                json=report.model_dump(mode="json", by_alias=True, exclude_none=True),
            )
        )

    def complete(self, request: CompleteRequest) -> MediaFileOut:
        return MediaFileOut.model_validate(
            self._call(
                "POST",
                "/api/v1/media/upload/complete",
                json=request.model_dump(mode="json", by_alias=True, exclude_none=True),
            )
        )

    def cancel_session(self, session_key: str) -> None:
        self._call("POST", f"/api/v1/media/upload/cancel/{segment(session_key)}")

    def fresh_credentials(self, session_key: str) -> B2UploadKey:
        return B2UploadKey.model_validate(
            self._call("POST", f"/api/v1/media/upload/credentials/{segment(session_key)}")
        )

    def process(self, media_id: str) -> MediaFileOut:
        return MediaFileOut.model_validate(
            self._call("POST", f"/api/v1/media/media/{segment(media_id)}/process")
        )

    def get_media(self, media_id: str) -> MediaFileOut:
        return MediaFileOut.model_validate(
            self._call("GET", f"/api/v1/media/media/{segment(media_id)}")
        )

    def list_media(
        self,
        page: int = 1,
        limit: int = 20,
        type: str | None = None,
        status: str | None = None,
        file_size: int | None = None,
    ) -> MediaPage:
        asked = {"page": page, "limit": limit, "type": type, "status": status}
        asked["fileSize"] = file_size
        params = {k: v for k, v in asked.items() if v is not None}
        return MediaPage.model_validate(
            self._call("GET", "/api/v1/media/user/media", params=params)
        )

    def delete_media(self, media_id: str) -> dict[str, Any]:
        return dict(self._call("DELETE", f"/api/v1/media/media/{segment(media_id)}"))

    def courses(self) -> list[CourseOut]:
        return [CourseOut.model_validate(c) for c in self._call("GET", "/api/v1/courses")]

    def attach(self, media_id: str, video_id: str) -> dict[str, Any]:
        return dict(
            self._call(
                "POST",
                f"/api/v1/media/media/{segment(media_id)}/attach-video",
                json={"videoId": video_id},
            )
        )
