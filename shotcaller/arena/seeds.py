"""Named seed sets: the one definition that training, tuning and evaluation share.

A match's seed drives its random draft and every random rule (``docs/rules.md``), so a bot tuned or
trained on some seeds may have learned those matches rather than the game. Two disjoint sets keep the
measurement honest:

* ``train``: seeds 0 to 999,999,999. Tune and train here; every tournament, ladder and benchmark of
  this repository plays seeds from 0 up, so all of them are ``train`` seeds.
* ``heldout``: seeds 1,000,000,000,000 to 1,000,999,999,999: for ``shotcaller evaluate`` only; nothing
  is tuned or trained on them.

A set hands out its seeds in order from its first: ``seed_set("heldout").seeds(3)`` is always
``[1000000000000, 1000000000001, 1000000000002]``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedSet:
    """A named range of match seeds, ``start`` to ``start + size - 1``."""

    name: str
    start: int
    size: int
    purpose: str

    def seeds(self, n: int) -> list[int]:
        """The set's first ``n`` seeds; raises ValueError when it has fewer."""
        if not 0 <= n <= self.size:
            raise ValueError(f"seed set {self.name!r} has {self.size} seeds, {n} asked for")
        return list(range(self.start, self.start + n))

    def __contains__(self, seed: object) -> bool:
        return isinstance(seed, int) and self.start <= seed < self.start + self.size


SEED_SETS: dict[str, SeedSet] = {
    s.name: s
    for s in (
        SeedSet("train", 0, 10**9, "tuning and training (every tournament, ladder and benchmark plays these)"),
        SeedSet("heldout", 10**12, 10**9, "evaluation only: nothing is tuned or trained on these"),
    )
}


def seed_set(name: str) -> SeedSet:
    """The seed set ``name``; raises ValueError naming the known sets."""
    try:
        return SEED_SETS[name]
    except KeyError:
        raise ValueError(f"unknown seed set {name!r} (seed sets: {', '.join(SEED_SETS)})") from None
