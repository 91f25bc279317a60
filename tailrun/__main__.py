"""`python -m tailrun` is the `tailrun` command."""

from tailrun.cli import main

main()
