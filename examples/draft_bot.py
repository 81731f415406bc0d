"""A JSON-lines bot that drafts (any language works the same way; this one uses only the standard library).

    shotcaller match --blue "exec:python examples/draft_bot.py" --red laner

It answers the ``hello`` handshake with ``{"draft": true}``, then picks the first free leader of its
favourites for each ``draft`` message, and plays the default plan (no orders).
"""

import json
import sys

FAVOURITES = ["Sylvan", "Vesna", "Raja", "Bristle", "Rollo", "Brakka", "Erno", "Chiron", "SoulsCollector", "Celsus"]


def answer(obj):
    print(json.dumps(obj), flush=True)


for line in sys.stdin:
    msg = json.loads(line)
    kind = msg.get("type")
    if kind == "hello":
        answer({"id": msg["id"], "draft": True})
    elif kind == "draft":
        free = {a["leader"] for a in msg["view"]["available"]}
        answer({"id": msg["id"], "pick": next(n for n in FAVOURITES if n in free)})
    elif kind == "observe":
        answer({"id": msg["id"], "orders": []})
