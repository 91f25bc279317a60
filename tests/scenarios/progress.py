"""Report progress with ``::progress`` lines between ordinary lines, plus lines that only look like progress."""

print("loading", flush=True)
print("::progress 10 Loading input", flush=True)
print("::progress 55.5 Parsing", flush=True)
print("parsed", flush=True)
print("::progress 100", flush=True)
print("::progress lots", flush=True)
print("::progress 150 too much", flush=True)
print("done", flush=True)
