"""The simulation core: state, rules and ``step``; NumPy and Numba only."""

from shotcaller.sim.config import Params, SimConfig
from shotcaller.sim.state import State
from shotcaller.sim.step import Events, new_state, step, step_inplace
from shotcaller.sim.world import World, build_world

__all__ = ["Events", "Params", "SimConfig", "State", "World", "build_world", "new_state", "step", "step_inplace"]
