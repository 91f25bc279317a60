"""Stand in for ``codex exec --json``: play a recorded stream to stdout (``play_stream.py``).

argv: FIXTURE [DELAY_S [EXIT_CODE]].
"""

from play_stream import play

play()
