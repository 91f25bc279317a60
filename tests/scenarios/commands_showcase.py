"""Print every kind of workflow command among ordinary lines, and lines that only look like commands."""

import json

print("before")
print("::group::Install")
print("installing a")
print("::error file=src/a.py,line=3,col=7,endLine=4,title=Boom::it broke%0Ahere")
print("::warning::careful")
print("  ::notice file=b.py::fyi")
print("::endgroup::")
print("::step building the thing")
print("::url https://example.com/page?q=1")
print('::result {"ok": true, "count": 3}')
print("::result {broken")
print("::debug::not a command tailrun knows")
print("::error line=x::a bad line number")
print("::grup::spelled wrong")
print("::progress 50 half way")
print("after")
print("::result " + json.dumps("x" * 70_000))
print("::step::second step")
print("::error::" + "m" * 40_000)
print("last", end="", flush=True)
