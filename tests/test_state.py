"""The state records: documented field by field, and a checksum that survives renames."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from shotcaller.sim import build_world, new_state, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.state import game_dtype

ROOT = Path(__file__).resolve().parents[1]
RECORDS = {
    "UNIT_DTYPE": L.UNIT_DTYPE,
    "LEADER_DTYPE": L.LEADER_DTYPE,
    "EFFECT_DTYPE": L.EFFECT_DTYPE,
    "PROJ_DTYPE": L.PROJ_DTYPE,
    "TEAM_DTYPE": L.TEAM_DTYPE,
    "GAME_DTYPE": L.GAME_DTYPE,
    "PENDING_DTYPE": L.PENDING_DTYPE,
    "REACT_DTYPE": L.REACT_DTYPE,
    "game_dtype": game_dtype(100, 16, 30, 4),
}


def _doc_section(doc: str, name: str) -> str:
    start = doc.index(f"`{name}`")
    nxt = doc.find("\n### ", start)
    return doc[start : nxt if nxt >= 0 else len(doc)]


@pytest.mark.parametrize("name", list(RECORDS))
def test_every_field_is_commented_in_layout_and_in_docs_state(name):
    dt = RECORDS[name]
    names = dt.names if name != "game_dtype" else [n for n in dt.names if n not in L.GAME_DTYPE.names]
    src = (ROOT / "shotcaller/sim" / ("state.py" if name == "game_dtype" else "layout.py")).read_text()
    uncommented = [f for f in names if not re.search(rf'\("{f}", "\w+"(, \([^)]*\))?\),\s*# \S', src)]
    assert not uncommented, f"{name}: fields without a comment beside them: {uncommented}"
    section = _doc_section((ROOT / "docs/state.md").read_text(), name)
    missing = [f for f in names if f"| `{f}` |" not in section]
    assert not missing, f"docs/state.md, section {name}: fields not described: {missing}"


def test_record_axes_last_checksum_rule_equals_separate_scalar_fields():
    """A sub-array field hashes like the numbered scalar fields it replaced (the checksum rule)."""
    from shotcaller.sim.state import _field_bytes

    merged = np.zeros(10, np.dtype([("x", "i2"), ("skills", "i2", (3,))], align=True))
    split = np.zeros(10, np.dtype([("x", "i2"), ("sk0", "i2"), ("sk1", "i2"), ("sk2", "i2")], align=True))
    rng = np.random.default_rng(0)
    vals = rng.integers(-1, 20, (10, 3))
    merged["skills"] = vals
    for j in range(3):
        split[f"sk{j}"] = vals[:, j]
    assert _field_bytes(merged, "skills") == b"".join(_field_bytes(split, f"sk{j}") for j in range(3))
    # a 0-d record (the game record) hashes its tables whole
    assert _field_bytes(merged[0], "skills") == vals[0].astype(np.int16).tobytes()


RESET_DIGESTS = ["3b49fc206d156162", "1cfe467136d4e892"]  # seeds 3 and 4
TICK_3000_DIGESTS = ["117dfb9569d4a412", "5298db28716352da"]


def test_checksums_match_the_recorded_digests(content):
    """Digests of fixed seeds at reset and after 3000 ticks pin the state layout and the play.

    History: the reset digests held from commit eaaef6b through the record renames (renamed fields, the
    skills / skill_ready_at sub-arrays and the checksum rule kept them). Issue 9 re-recorded both: new
    fields (fortify, threat and backdoor protection, the leader AI's defence), the tower's attack (content:
    a base stat is state), and rules under which neither side acts first, structures hold early and
    leaders defend; and again for each leader retune (leaders.toml, Telekinesis) and the leader AI's tower
    aggro and counter-push; and for the leader AI's default cadence (8 ticks) with its retune (Sylvan,
    Raja, Erno, Chiron, Bristle). Change them only with a change of the layout, the content or the rules."""
    world = build_world(content)
    st = new_state(world, [3, 4])
    assert st.checksums() == RESET_DIGESTS
    step_inplace(st, None, 3000)
    assert st.checksums() == TICK_3000_DIGESTS


def test_one_sentinel_everywhere():
    """sim/ spells "none" one way: layout.NONE, never a bare -1 assigned, returned or compared."""
    bare = []
    for f in sorted((ROOT / "shotcaller/sim").glob("*.py")):
        for i, line in enumerate(f.read_text().splitlines(), 1):
            code = line.split("#")[0].strip()
            if code.startswith("NONE = -1"):
                continue  # the definition
            if re.search(r"(?:=|return|==|!=) -1\b", code):
                bare.append(f"{f.name}:{i}: {line.strip()}")
    assert not bare, "use layout.NONE:\n" + "\n".join(bare)
