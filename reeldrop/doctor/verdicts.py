"""One check's answer: a verdict, what was seen, and what to do about it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Verdict = Literal["ok", "warn", "fail", "skip"]


@dataclass(frozen=True)
class CheckResult:
    name: str
    verdict: Verdict
    detail: str
    fix: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def guarded(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    """Run one check; an unexpected error is that check's failure, never the doctor's."""
    try:
        return check()
    except Exception as exc:
        return CheckResult(
            name,
            "fail",
            f"the check itself failed: {type(exc).__name__}: {exc}",
            "run `reeldrop daemon --verbose` and read the log folder; report this message",
        )
