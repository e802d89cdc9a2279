"""Server settings from the environment variables the platform's media design names.

A bad value stops start-up with a message naming the variable, so a typo in a deployment
is caught at once instead of surfacing as a strange upload failure later.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from server.private_files import private_dir
from shared.policy import Policy


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.split("#", 1)[0].strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _formats(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return Policy().allowed_video_formats
    formats = tuple(f.strip().lower().lstrip(".") for f in raw.split(",") if f.strip())
    if not formats or not all(f.isalnum() for f in formats):
        raise ConfigError(f"{name} must be a comma-separated list of extensions, got {raw!r}")
    return formats


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("reeldrop-server", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to start; secrets are never part of ``repr``."""

    data_dir: Path
    database_url: str
    policy: Policy
    host: str = "127.0.0.1"
    port: int = 8750
    public_url: str = "http://127.0.0.1:8750"
    cdn_url: str | None = None
    bb_key_id: str | None = None
    bb_key_name: str | None = None
    bb_application_key: str | None = field(default=None, repr=False)
    bb_endpoint: str | None = None
    bb_bucket_id: str | None = None
    jwt_secret: str = field(default="", repr=False)
    access_token_seconds: int = 900
    refresh_token_seconds: int = 30 * 24 * 3600
    processing_queue: str = "video_processing"
    # A running job whose worker has been silent this long is taken by another worker; longer
    # than the slowest probe, short enough that a crashed process's jobs are not stuck long.
    processing_lease_seconds: int = 600
    metrics_token: str | None = field(default=None, repr=False)
    # Proxies whose X-Forwarded-For names the client (comma-separated addresses or "*").
    # None by default: otherwise any local process could pose as many addresses and spread
    # wrong sign-ins past the per-address throttle.
    trusted_proxies: str | None = None

    @property
    def embedded_storage(self) -> bool:
        """True when no Backblaze credentials are configured: serve the embedded store."""
        return not (self.bb_key_id and self.bb_application_key)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        data_dir: Path | None = None,
        host: str | None = None,
        port: int | None = None,
    ) -> Settings:
        env = os.environ if env is None else env
        data_dir = (
            (
                data_dir
                or (Path(env["REELDROP_DATA_DIR"]) if env.get("REELDROP_DATA_DIR") else None)
                or default_data_dir()
            )
            .expanduser()
            .resolve()
        )
        host = host or "127.0.0.1"
        port = port if port is not None else 8750
        policy = Policy(
            max_video_size_mb=_int(env, "MAX_VIDEO_SIZE_MB", 500),
            allowed_video_formats=_formats(env, "ALLOWED_VIDEO_FORMATS"),
            min_video_width=_int(env, "MIN_VIDEO_WIDTH", 320, minimum=0),
            min_video_height=_int(env, "MIN_VIDEO_HEIGHT", 240, minimum=0),
            max_video_duration_seconds=_int(env, "MAX_VIDEO_DURATION_SECONDS", 7200),
            max_concurrent_uploads=_int(env, "MAX_CONCURRENT_UPLOADS", 5),
            chunk_size_mb=_int(env, "CHUNK_SIZE_MB", 5, minimum=5),
            upload_session_timeout=_int(env, "UPLOAD_SESSION_TIMEOUT", 3600, minimum=60),
            thumbnail_generation_enabled=_bool(env, "THUMBNAIL_GENERATION_ENABLED", True),
        )
        bb_key_id = env.get("BB_KEY_ID") or None
        bb_app_key = env.get("BB_APPLICATION_KEY") or None
        if bool(bb_key_id) != bool(bb_app_key):
            missing = "BB_APPLICATION_KEY" if bb_key_id else "BB_KEY_ID"
            raise ConfigError(f"{missing} must be set together with the other BB_* credential")
        cdn_url = (env.get("CDN_URL") or "").rstrip("/") or None
        if cdn_url and not cdn_url.startswith(("http://", "https://")):
            raise ConfigError(f"CDN_URL must start with http:// or https://, got {cdn_url!r}")
        public_url = (env.get("REELDROP_PUBLIC_URL") or f"http://{host}:{port}").rstrip("/")
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'server.sqlite'}"
        return cls(
            data_dir=data_dir,
            database_url=_normalise_database_url(database_url),
            policy=policy,
            host=host,
            port=port,
            public_url=public_url,
            cdn_url=cdn_url,
            bb_key_id=bb_key_id,
            bb_key_name=env.get("BB_KEY_NAME") or None,
            bb_application_key=bb_app_key,
            bb_endpoint=env.get("BB_ENDPOINT") or None,
            bb_bucket_id=env.get("BB_BUCKET_ID") or None,
            jwt_secret=env.get("REELDROP_JWT_SECRET") or _stored_jwt_secret(data_dir),
            access_token_seconds=_int(env, "REELDROP_ACCESS_TOKEN_SECONDS", 900),
            processing_queue=env.get("VIDEO_PROCESSING_QUEUE") or "video_processing",
            processing_lease_seconds=_int(env, "PROCESSING_LEASE_SECONDS", 600, minimum=30),
            metrics_token=env.get("REELDROP_METRICS_TOKEN") or None,
            trusted_proxies=env.get("REELDROP_TRUSTED_PROXIES") or None,
        )


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite", "postgresql+")):
        raise ConfigError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
    return url


def _stored_jwt_secret(data_dir: Path) -> str:
    """The signing secret kept in the data directory, created (mode 0600) on first use."""
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    private_dir(data_dir)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret
