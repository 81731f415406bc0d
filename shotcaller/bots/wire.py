"""The JSON-lines wire format of remote bots: reading their answers, and quoting what they sent.

Everything a bot sends is untrusted: a reason built from it quotes at most :data:`QUOTE` characters.
"""

from __future__ import annotations

from typing import Any

from shotcaller.bots.base import Order, clean_why
from shotcaller.sim import layout as L

QUOTE = 80  # characters of a bot's own output quoted in a fault reason
MAX_ORDERS = 256  # orders of one answer read (the rest are ignored)


class BotFault(RuntimeError):
    """A remote bot broke the protocol (timeout, garbage, flood, crash)."""


def quote(value: Any) -> str:
    """A short printable rendering of something a bot sent (at most ``QUOTE`` characters)."""
    text = value.decode(errors="replace") if isinstance(value, bytes) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= QUOTE else text[: QUOTE - 3] + "..."


def parse_pick(ans: dict[str, Any]) -> Any:
    """The ``pick`` of a draft answer (checked by the draft runner); BotFault when there is none."""
    if "pick" not in ans:
        raise BotFault(f"draft answer has no 'pick': {quote(ans)}")
    return ans["pick"]


def _kind(value: Any) -> int:
    """An order kind given as an integer or by name."""
    if isinstance(value, str) and value in L.ORDER_NAMES[1:]:
        return L.ORDER_NAMES.index(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BotFault(f"unknown order kind {quote(value)}")


def parse_orders(raw: Any) -> list[Order]:
    """The ``orders`` of an answer as :class:`Order` objects (with their ``why``); BotFault on garbage."""
    if not isinstance(raw, list):
        raise BotFault(f"'orders' must be a list, got {type(raw).__name__}")
    out: list[Order] = []
    for o in raw[:MAX_ORDERS]:  # the match keeps fewer still (and records the excess as a fault)
        why: Any = None
        if isinstance(o, dict):
            vals = [o.get("leader", -1), _kind(o.get("order")), o.get("a", 0), o.get("b", 0)]
            why = o.get("why")
        elif isinstance(o, list) and len(o) in (4, 5):
            vals = [o[0], _kind(o[1]), *o[2:4]]
            why = o[4] if len(o) == 5 else None
        else:
            raise BotFault(f"an order must be [leader, kind, a, b(, why)] or an object, got {quote(o)}")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            raise BotFault(f"malformed order {quote(o)}")
        if why is not None and not isinstance(why, str):
            raise BotFault(f"an order's why must be a string, got {quote(why)}")
        out.append(Order(vals[0], vals[1], vals[2], vals[3], why=clean_why(why)))
    return out
