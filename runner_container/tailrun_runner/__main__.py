"""``tailrun-runner`` / ``python -m tailrun_runner``: run one attempt of a job described by ``TAILRUN_*``."""

from __future__ import annotations

import logging
import os

from tailrun_runner import logs
from tailrun_runner.runner import EXIT_CONFIG, Runner, install_signal_handlers
from tailrun_runner.settings import ConfigError, Settings

logger = logging.getLogger("tailrun_runner")


def main() -> int:
    """Read the settings, run the attempt, and return the exit code (the console script exits with it)."""
    logs.configure()
    try:
        settings = Settings.from_env(os.environ)
        runner = Runner(settings, dict(os.environ))
    except ConfigError as exc:
        logger.error("tailrun-runner: %s", exc)
        return EXIT_CONFIG
    install_signal_handlers(runner)
    return runner.run()


if __name__ == "__main__":
    raise SystemExit(main())
