"""A progress bar drawn with carriage returns, then a Windows-style CRLF line.

``rewrite.py fast`` redraws quickly (the line completes well within the runner's rewrite interval);
``rewrite.py slow`` pauses between redraws, so the runner sends the bar's state while it is drawn.
"""

import sys
import time

pause = 0.15 if sys.argv[1] == "slow" else 0
out = sys.stdout
out.write("begin\n")
for percent in range(0, 101, 10):
    out.write(f"\rprogress {percent}%")
    out.flush()
    time.sleep(pause)
out.write("\n")
out.write("crlf line\r\n")
out.flush()
