"""Stand in for ``claude -p --output-format stream-json --verbose``: play a recorded stream to stdout (``play_stream.py``).

argv: FIXTURE [DELAY_S [EXIT_CODE]].
"""

from play_stream import play

play()
