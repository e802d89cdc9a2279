"""``reeldrop probe PATH... [--json]``: check videos the way an upload would, without uploading."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def load_policy(server: str | None) -> Any:
    from shared.policy import Policy

    if not server:
        return Policy()
    import httpx

    try:
        response = httpx.get(f"{server.rstrip('/')}/api/v1/media/policy", timeout=10)
        response.raise_for_status()
        return Policy.model_validate(response.json()["data"])
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        print(
            f"reeldrop probe: could not read the server's policy ({type(exc).__name__}); "
            "using the default limits",
            file=sys.stderr,
        )
        return Policy()


def run(args: argparse.Namespace) -> int:
    from shared.media.errors import MediaError
    from shared.media.validation import validate_file

    policy = load_policy(args.server)
    rejected = 0
    for raw in args.paths:
        path = Path(raw)
        try:
            meta = validate_file(path, policy)
        except MediaError as exc:
            rejected += 1
            if args.json:
                print(json.dumps({"path": str(path), "ok": False, "error": exc.as_dict()}))
            else:
                print(f"REJECTED {path}: {exc.message} [{exc.code}]")
            continue
        if args.json:
            print(
                json.dumps(
                    {
                        "path": str(path),
                        "ok": True,
                        "metadata": meta.model_dump(mode="json", by_alias=True),
                    }
                )
            )
        else:
            print(
                f"OK       {path}: {meta.display_width}x{meta.display_height} "
                f"{meta.video_quality}, {meta.duration_seconds:.1f} s, {meta.codec}"
                f"{' + ' + meta.audio_codec if meta.audio_codec else ''}, {meta.container}"
            )
    return 1 if rejected else 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("probe", help="check videos against the upload policy")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="one JSON object per file per line")
    parser.add_argument("--server", help="read the limits from this server's policy")
    parser.set_defaults(handler=run)
