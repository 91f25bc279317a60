"""A job that writes files in its working directory: one named on a marker line while it runs, others at the end."""

import os
from pathlib import Path

Path("early.txt").write_text("step 1 done\n")
print("::artifact early.txt", flush=True)
out = Path("out")
out.mkdir()
(out / "table.csv").write_bytes(b"id,value\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(20_000)))
(out / "plot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(3000))
(out / "skipped.html").write_text("<p>a type artifacts may not have</p>")
print("wrote", len(list(out.iterdir())), "files", flush=True)
