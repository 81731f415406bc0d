"""Items in words: what an item gives, as the shops of the terminal game and the web page list it."""

from __future__ import annotations

from shotcaller.content import Content
from shotcaller.content.loader import ITEM_EFFECTS, ITEM_STATS


def item_gives(content: Content, item: int) -> str:
    """``"attack +15"``, ``"heals 400 when low (used up)"``: the stats and effect of item ``item``."""
    c = content
    gives = [f"{k} {c.item_mods[item, j]:+g}" for j, k in enumerate(ITEM_STATS) if c.item_mods[item, j]]
    eff = ITEM_EFFECTS[int(c.item_effect[item])]
    if eff == "coffee":
        gives.append(f"attack speed x{c.item_value[item]:g} for {c.item_duration_s[item]:g} s in a fight (used up)")
    elif eff == "heal":
        gives.append(f"heals {c.item_value[item]:g} when low (used up)")
    elif eff != "none":
        gives.append(f"{eff} (used up)")
    return ", ".join(gives)
