"""``make demo`` (``python -m tailrun.demo``): a real job through the whole local stack, followed live.

``run`` starts the local stack as a child process and follows ``job`` (the demo's job, a small script) as
``tailrun run`` does. It may import ``tailrun.local`` (to start the stack) and ``tailrun.cli`` (to submit and
follow); nothing imports it.
"""
