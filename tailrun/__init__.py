"""tailrun: the CLI and the local stack (`tailrun dev`) of the serverless job runner."""

from __future__ import annotations

__version__ = "0.1.0"
