"""b2sdk API objects for a scoped key, and b2sdk's errors translated into ours."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from b2sdk.v2 import B2Api, B2HttpApiConfig, Bucket, InMemoryAccountInfo
from b2sdk.v2 import exception as b2_exceptions

from daemon.transfer.errors import CredentialsExpired, ReadStopped, TransferError
from daemon.transfer.target import UploadTarget
from shared import __version__

PART_WORKERS = 4  # parts in flight per file: what a crash can cost to re-send
AUTH_ERRORS = (
    b2_exceptions.InvalidAuthToken,
    b2_exceptions.Unauthorized,
    b2_exceptions.AccessDenied,
)
TRANSIENT_ERRORS = (
    b2_exceptions.B2ConnectionError,
    b2_exceptions.ServiceError,
    b2_exceptions.TooManyRequests,
    b2_exceptions.MaxRetriesExceeded,
    b2_exceptions.B2RequestTimeout,
    b2_exceptions.TruncatedOutput,
)


def _session_factory() -> requests.Session:
    """``REELDROP_B2_TEST_MODE`` sends B2's X-Bz-Test-Mode header, to rehearse failures."""
    session = requests.Session()
    mode = os.environ.get("REELDROP_B2_TEST_MODE")
    if mode:
        session.headers["X-Bz-Test-Mode"] = mode
    return session


@contextmanager
def b2_errors() -> Iterator[None]:
    try:
        yield
    except ReadStopped as exc:
        raise exc.reason from None
    except AUTH_ERRORS as exc:
        raise CredentialsExpired(f"storage refused the upload key ({type(exc).__name__})") from None
    except TRANSIENT_ERRORS as exc:
        raise TransferError(
            f"storage is not answering ({type(exc).__name__})", transient=True
        ) from None
    except b2_exceptions.B2Error as exc:
        raise TransferError(
            f"storage refused the upload ({type(exc).__name__}: {str(exc)[:200]})", transient=False
        ) from None


def open_bucket(target: UploadTarget) -> Bucket:
    """Authorize with the scoped key; it may not list buckets, so the bucket is named."""
    api = B2Api(
        InMemoryAccountInfo(),
        max_upload_workers=PART_WORKERS,
        api_config=B2HttpApiConfig(
            user_agent_append=f"ReelDrop/{__version__}", http_session_factory=_session_factory
        ),
    )
    with b2_errors():
        api.authorize_account(target.realm_url, target.key_id, target.application_key)
    return Bucket(api, target.bucket_id, name=target.bucket_name)
