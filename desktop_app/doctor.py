"""`emr-assist doctor`: what a security team or a support call needs to know about this install.

Each check is a small function returning a `Check`; add one by appending it to `CHECKS`. Checks
must be quick, must not touch the network and must not print note text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app import paths

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str


def check_network() -> Check:
    from desktop_app.privacy import network

    posture = network.posture()
    return Check("network", OK if posture.installed else WARN, posture.describe())


def check_offline_environment() -> Check:
    missing = [key for key, value in paths.OFFLINE_ENV.items() if os.environ.get(key) != value]
    if missing:
        return Check("offline", WARN, "Hugging Face offline switches not set: " + ", ".join(missing))
    return Check("offline", OK, "Hugging Face libraries forced offline; telemetry off")


def check_audit_log() -> Check:
    from desktop_app.privacy import audit

    result = audit.AuditLog().verify()
    return Check("audit log", OK if result.ok else FAIL, audit.describe(result))


def check_history() -> Check:
    from desktop_app.privacy import history

    reason = history.unavailable_reason()
    if reason:
        return Check("history", OK, f"off: {reason}")
    return Check("history", OK, "can be turned on (encrypted, key in the OS keyring)")


CHECKS: list[Callable[[], Check]] = [check_network, check_offline_environment, check_audit_log, check_history]


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # one broken check must not hide the others
            name = check.__name__.removeprefix("check_")
            results.append(Check(name, FAIL, f"check failed: {type(exc).__name__}"))
    return results


def format_checks(results: list[Check]) -> str:
    marks = {OK: "OK  ", WARN: "WARN", FAIL: "FAIL"}
    return "\n".join(f"[{marks[r.status]}] {r.name:10} {r.detail}" for r in results)
