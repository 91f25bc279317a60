"""Write numbered lines as fast as the pipe takes them; record how many were written in a file.

The count file is rewritten every 100 lines, so a test sees how far the job got while its output is blocked.
"""

import os
import sys

count_file, total = sys.argv[1], int(sys.argv[2])
out = sys.stdout
pad = "." * 100
for start in range(0, total, 100):
    out.write("".join(f"{i} {pad}\n" for i in range(start, start + 100)))
    out.flush()
    with open(count_file + ".tmp", "w") as f:
        f.write(str(start + 100))
    os.replace(count_file + ".tmp", count_file)
