"""Print the lowest Numba release pyproject.toml allows (its ``numba>=X`` requirement): CI runs the suite on it."""

import re
import sys
import tomllib

with open(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml", "rb") as f:
    deps = tomllib.load(f)["project"]["dependencies"]
for dep in deps:
    m = re.fullmatch(r"numba\s*>=\s*([0-9.]+)\s*(,.*)?", dep.strip())
    if m:
        print(m.group(1))
        break
else:
    sys.exit("pyproject.toml: no 'numba>=X' requirement found")
