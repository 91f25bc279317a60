"""tailrun's runner: runs one attempt of a job in its sandbox and streams its output to the callback.

Entry point: the console script ``tailrun-runner`` (``python -m tailrun_runner``), configured by ``TAILRUN_*``
environment variables (see ``settings`` and ``defaults``).
"""

__version__ = "0.1.0"
