"""TEST FAULT INJECTION ONLY: `crash_point(name)` kills this process with SIGKILL when the environment variable
TERRA_RELAYER_CRASH_AT equals `name`, so crash tests can stop the manager at an exact step. Does nothing otherwise.

Points: "after_store" (row committed, before signing), "after_sign" (signed raw committed, before broadcast),
"after_broadcast" (sent, before the receipt is recorded), "after_receipt" (receipt recorded)."""

from __future__ import annotations

import os
import signal

CRASH_ENV = "TERRA_RELAYER_CRASH_AT"
CRASH_POINTS = ("after_store", "after_sign", "after_broadcast", "after_receipt")


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
