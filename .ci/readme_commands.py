"""Print the README's quick-start commands: the single line of each of its first two ```bash blocks."""

import sys
from pathlib import Path

blocks: list[list[str]] = []
inside = False
for line in Path(sys.argv[1]).read_text().splitlines():
    if line.strip() == "```bash" and not inside:
        inside = True
        blocks.append([])
    elif line.strip() == "```" and inside:
        inside = False
        if len(blocks) == 2:
            break
    elif inside:
        blocks[-1].append(line)
for block in blocks[:2]:
    lines = [ln for ln in block if ln.strip()]
    if len(lines) != 1:
        sys.exit(f"each quick-start block must hold one command line, got {lines!r}")
    print(lines[0])
