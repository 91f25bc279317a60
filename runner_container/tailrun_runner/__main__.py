"""``tailrun-runner`` / ``python -m tailrun_runner``: run one attempt of a job described by ``TAILRUN_*``.

Start-up, in this order (see ``handoff``, ``sandbox`` and ``claim``):

1. With secret variables in the environment, re-execute without them (same pid), handing them over on an fd.
2. Become non-dumpable, then take the secrets from that fd into memory.
3. With ``TAILRUN_CLAIM=google``, claim the attempt from the callback instead (its secrets, again in memory only).
4. Read the settings from the environment merged with the secrets, and run the attempt.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import TYPE_CHECKING

from tailrun_runner import handoff, logs, sandbox
from tailrun_runner.runner import (
    EXIT_CLAIM_REFUSED,
    EXIT_CONFIG,
    EXIT_UNDELIVERED,
    Runner,
    install_signal_handlers,
)
from tailrun_runner.settings import ConfigError, Settings

if TYPE_CHECKING:
    from tailrun_runner.claim import ClaimSettings

logger = logging.getLogger("tailrun_runner")


class _StoppedBeforeStart(Exception):
    """SIGTERM or SIGINT came while the attempt was being claimed."""


def main() -> int:
    """Read the settings, run the attempt, and return the exit code (the console script exits with it)."""
    logs.configure()
    try:
        handoff.reexec_without_secrets(os.environ)  # does not return when there were secrets
        sandbox.make_undumpable()
        secrets = handoff.take_secrets(os.environ)
        environ = {**os.environ, **secrets}
        if secrets:
            logger.info(
                "re-executed without secret variables (%s now in memory only)", ", ".join(sorted(secrets))
            )
        environ.pop(handoff.SECRETS_FD_VARIABLE, None)
        claim_settings = _claim_settings(environ)
    except ConfigError as exc:
        logger.error("tailrun-runner: %s", exc)
        return EXIT_CONFIG
    if claim_settings is not None:
        from tailrun_runner.claim import ClaimGaveUp, ClaimRefused

        try:
            environ.update(_claim(claim_settings))
        except ClaimRefused as exc:
            logger.error("tailrun-runner: claim refused, nothing run: %s", exc)
            return EXIT_CLAIM_REFUSED
        except (ClaimGaveUp, _StoppedBeforeStart) as exc:
            logger.error("tailrun-runner: could not claim the attempt, nothing run: %s", exc or "stopped")
            return EXIT_UNDELIVERED
    try:
        settings = Settings.from_env(environ)
        runner = Runner(settings, environ)
    except ConfigError as exc:
        logger.error("tailrun-runner: %s", exc)
        return EXIT_CONFIG
    install_signal_handlers(runner)
    return runner.run()


def _claim_settings(environ: dict[str, str]) -> ClaimSettings | None:
    """The claim's settings (``TAILRUN_CLAIM`` set: a cloud runner), else None; ``claim`` is imported only then,
    so a local runner's start-up does not pay for it."""
    if not environ.get("TAILRUN_CLAIM"):
        return None
    from tailrun_runner.claim import ClaimSettings

    return ClaimSettings.from_env(environ)


def _claim(settings: ClaimSettings) -> dict[str, str]:
    """Claim the attempt; a SIGTERM or SIGINT meanwhile ends the claim (as PID 1 the runner would ignore it)."""

    def stop(signum: int, _frame: object) -> None:
        raise _StoppedBeforeStart(f"got {signal.Signals(signum).name} before the attempt was claimed")

    from tailrun_runner.claim import claim

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return claim(settings)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    raise SystemExit(main())
