"""``Shotcaller-v1``: the blue coach against any bot, as a Gymnasium environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from shotcaller.bots.base import Coach
from shotcaller.bots.seat import ticks
from shotcaller.content import Content, load_content
from shotcaller.envs.game import CoachGame, RewardWeights
from shotcaller.sim import Params, SimConfig, World, build_world
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L

DEFAULT_DECIDE_EVERY_S = 2.0  # game seconds between the agent's decisions (40 ticks at 20 ticks a second)


def mask_space(n_choices: int) -> spaces.Tuple:
    """The action mask's space: one MultiBinary per part of the action, as ``MultiDiscrete.sample(mask=)``
    takes it (5 leaders' N choices, fortify's 2, then the whole-team order's N)."""
    return spaces.Tuple([spaces.MultiBinary(k) for k in E.action_sizes(n_choices)])


def observation_space(world: World, n_choices: int, with_mask: bool = False) -> spaces.Dict:
    """The coach observation's space for ``world`` (see :mod:`shotcaller.sim.encode` for the columns);
    ``with_mask`` adds ``action_mask`` (:func:`mask_space`), as PettingZoo observations carry it."""
    H, W = world.height, world.width
    parts: dict[str, spaces.Space] = {
        "planes": spaces.Box(0.0, 1.0, (E.N_PLANES, H, W), np.float32),
        "leaders": spaces.Box(0.0, 1.0, (10, E.LF), np.float32),
        "buildings": spaces.Box(0.0, 1.0, (2 * L.N_BLD, E.BF), np.float32),
        "scalars": spaces.Box(0.0, 1.0, (E.SF,), np.float32),
    }
    if with_mask:
        parts["action_mask"] = mask_space(n_choices)
    return spaces.Dict(parts)


def action_space(n_choices: int) -> spaces.MultiDiscrete:
    """One choice per leader (a row of the choice table), fortify (0 no, 1 yes) and the whole-team order
    (a row of the same table)."""
    return spaces.MultiDiscrete(E.action_sizes(n_choices))


def check_arguments(decide_every_s: Any, render_mode: Any, render_modes: tuple[str, ...] = ()) -> None:
    """The envs' common arguments: ValueError naming a bad one (``render_modes``: those the env offers)."""
    if render_mode is not None and render_mode not in render_modes:
        offered = f"None or {', '.join(map(repr, render_modes))}" if render_modes else "None (the env does not render)"
        raise ValueError(f"render_mode must be {offered}, got {render_mode!r}")
    if isinstance(decide_every_s, bool) or not isinstance(decide_every_s, int | float) or decide_every_s <= 0:
        raise ValueError(f"decide_every_s must be a positive number of game seconds, got {decide_every_s!r}")


def check_action(action: Any, n_choices: int, space: spaces.Space, who: str = "") -> np.ndarray:
    """One coach's action as an array: 5 leaders' choice rows, fortify (0/1), the whole-team row;
    ValueError otherwise."""
    act = np.asarray(action)
    if act.shape != (E.N_ACTION,) or not np.issubdtype(act.dtype, np.integer):
        raise ValueError(
            f"{who}action must be {E.N_ACTION} integers (5 leaders' choices, fortify, the whole-team choice), "
            f"got {action!r}"
        )
    if (act < 0).any() or (act >= np.asarray(E.action_sizes(n_choices))).any():
        raise ValueError(f"{who}action {act.tolist()} is outside {space}")
    return act


def make_world(world: World | None, content: Content | None, params: Params | None, config: SimConfig | None) -> World:
    if world is not None:
        return world
    return build_world(content or load_content(), config or SimConfig(), params or Params())


class CoachEnv(gym.Env[dict[str, Any], np.ndarray]):
    """The blue team's coach against a scripted opponent.

    ## Description
    A 5v5 three-lane MOBA in which the agent never steers a leader: it is the team's coach, giving
    high-level orders that five AI-played leaders carry out (``docs/rules.md``). The opponent is any
    coach: a built-in name (``"strategist"``, ``"pusher"``, ...), ``path/to/bot.py:Class``,
    ``exec:COMMAND``, ``plan:NAME`` (every spec ``shotcaller match`` accepts), or a coach object.

    ## Observation
    A dict, the blue team's view only (fog of war: enemy units where the team sees them now, enemy
    buildings as last seen), built in compiled code (:mod:`shotcaller.sim.encode`):

    * ``planes`` (9, H, W) float32: floor, then own leaders, creeps, summons, buildings and the enemy's
      (health fractions and counts, see ``encode.PLANES``);
    * ``leaders`` (10, 40): own five then the enemy's five (position, health, gold, items, respawn,
      teleport cooldown, mode, current order and its lane, stance, hero, kills...; ``encode.LEADER_COLUMNS``);
    * ``buildings`` (26, 13): own 13 then the enemy's 13 (``encode.BUILDING_COLUMNS``);
    * ``scalars`` (20,): time, side, APM left, queued orders, fortify timers, lane fronts, kills,
      buildings, and the reason each leader's last order was rejected (``encode.SCALAR_COLUMNS``).

    The allowed choices are ``info["action_mask"]`` after ``reset`` and every ``step`` (as Gymnasium's
    own masked envs give them): a tuple of five (N,) int8 masks, fortify's (2,) and the whole team's (N,), so
    ``env.action_space.sample(mask=info["action_mask"])`` draws a valid action;
    :meth:`action_masks` gives the same flattened (what ``sb3_contrib.MaskablePPO`` reads).

    ## Action
    ``MultiDiscrete([N] * 5 + [2, N])``: for each leader a row of the choice table (``choice_names``;
    row 0 is "no new order"; lane, push, defend and group on a lane, gank an enemy leader, retreat, buy
    an item, teleport to an own building, stance), then the team's fortify (0 no, 1 yes), then a row of
    the same table as one **whole-team order** (the rules' order to all five leaders, which costs one
    order of the APM budget where five leaders' choices cost five; a whole-team ``buy`` goes to the
    leaders who can pay). The whole-team order is given first, so a leader's own choice in the same
    action overrides it for that leader. A choice is masked when the engine would reject it now: dead
    leader, unaffordable item or full inventory, teleport on cooldown or to a destroyed building, gank
    target not visible, fortify on cooldown, order queue full, APM exhausted (a whole-team choice is
    allowed when it is valid for at least one leader, as the engine rules). The team's APM budget (30
    orders a minute by default) is shared by one decision's orders: the mask says an order may be given,
    not that all seven may; orders past the budget are rejected and reported in ``info["rejected"]`` and
    the next observation. Orders take effect after the rules' latency (2 s by default).

    ## Rewards
    ``win`` (+1 win, -1 loss, 0 draw, at the end) plus shaping terms, each the change since the last
    decision of own minus enemy: ``gold`` (per 1000 earned), ``kills``, ``buildings`` (destroyed) and
    ``last_hits`` (per 10), weighted by ``reward_weights`` (defaults in
    :class:`~shotcaller.envs.game.RewardWeights`). Each weighted term is in ``info["reward_terms"]``.

    ## Episode end
    ``terminated`` when the match ends: a core falls, or the game's time limit (30 game minutes by
    default, a rule of the game decided by its tie-break) is reached. ``truncated`` is never set by the
    env itself (wrap it in ``gymnasium.wrappers.TimeLimit`` to cut episodes short). The final info has
    ``"result"`` (winner, end reason, stats) and the opponent's ``"faults"``.

    ## Arguments
    * ``opponent``: the red coach (spec or object), default ``"strategist"``.
    * ``decide_every_s``: game seconds between decisions (default 2.0 = 40 ticks).
    * ``reward_weights``: dict of term weights (``win``, ``gold``, ``kills``, ``buildings``, ``last_hits``).
    * ``params`` / ``config`` / ``content`` / ``world``: the rules' parameters (latency, APM, time limit,
      leader AI cadence), the static settings (map), the content; ``world`` (built from them) overrides all.
    * ``draft``: 10 hero ids (blue then red); default: the seeded random draft of each match.
    * ``allow_unsandboxed``: load ``sandbox:`` opponents even where no sandbox is available.
    * ``bot_logs``: folder for ``exec:``/``sandbox:`` opponents' logs.
    * ``render_mode``: ``"ansi"`` makes :meth:`render` return the observation as JSON text, for language-model
      coaches (:func:`~shotcaller.envs.text.coach_text_obs`: the same team view with names, the last
      rejected orders with their reasons and the allowed choices by name); None (default) renders nothing.

    ``reset(seed=s)`` plays the match of seed ``s`` (the draft and every random rule follow from it);
    without a seed, the env's own generator picks one.

    ## Version history
    * v1: the whole-team order joins the action (``MultiDiscrete([N] * 5 + [2, N])``, masks (6 N + 2,)):
      a learner can give the order the scripted coaches give, at the APM cost they pay.
    * v0 (never released): five leaders' choices and fortify; ``render_mode="ansi"`` (the observation as
      JSON text) added without changing it.
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi"]}  # text of the observation; frontends draw the game

    def __init__(
        self,
        opponent: str | Coach = "strategist",
        *,
        decide_every_s: float = DEFAULT_DECIDE_EVERY_S,
        reward_weights: RewardWeights | dict[str, float] | None = None,
        params: Params | None = None,
        config: SimConfig | None = None,
        content: Content | None = None,
        world: World | None = None,
        draft: list[int] | None = None,
        allow_unsandboxed: bool = False,
        bot_logs: str | Path | None = None,
        render_mode: str | None = None,
    ) -> None:
        check_arguments(decide_every_s, render_mode, ("ansi",))
        self.world = make_world(world, content, params, config)
        self.decide_every = ticks(decide_every_s, self.world)
        self.opponent = opponent
        self.allow_unsandboxed = allow_unsandboxed
        self.bot_logs = None if bot_logs is None else str(bot_logs)
        self.draft = None if draft is None else [int(h) for h in draft]
        self._check_opponent()
        self.game = CoachGame(self.world, (0,), self.decide_every, RewardWeights.of(reward_weights))
        self.choice_names = self.game.choice_names
        self.n_choices = self.game.n_choices
        self.observation_space = observation_space(self.world, self.n_choices)
        self.action_space = action_space(self.n_choices)
        self.render_mode = render_mode
        self.metadata = {**self.metadata, "render_fps": 1.0 / float(decide_every_s)}  # one text per decision

    def _check_opponent(self) -> None:
        if isinstance(self.opponent, str):
            self._new_opponent().close()  # a bad spec fails here, naming what is wrong, not at reset
        elif not callable(getattr(self.opponent, "act", None)):
            raise TypeError(f"opponent must be a bot spec or a coach with act(view, info), got {self.opponent!r}")

    def _new_opponent(self) -> Any:
        if not isinstance(self.opponent, str):
            return self.opponent
        from shotcaller.bots import make_coach

        return make_coach(self.opponent, allow_unsandboxed=self.allow_unsandboxed)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start a match: of seed ``seed``, else one the env's generator picks. ``options`` may give a
        ``draft`` (10 hero ids) for this match."""
        super().reset(seed=seed)
        match_seed = int(seed) if seed is not None else int(self.np_random.integers(0, 2**31 - 1))
        draft = (options or {}).get("draft", self.draft)
        self.game.close_opponents()
        self.game.reset(match_seed, draft, {1: self._new_opponent()}, self.bot_logs)
        self.match_seed = match_seed
        info = {"seed": match_seed, "tick": 0, "action_mask": self.game.mask_tuple(0)}
        return self.game.observe(0), info

    def step(self, action: np.ndarray) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Give the blue team's choices, advance ``decide_every`` ticks (less when the match ends)."""
        g = self.game
        if g.state is None:
            raise RuntimeError("call reset() before step()")
        if g.done:
            raise RuntimeError("the match is over: call reset() to start the next one")
        act = check_action(action, self.n_choices, self.action_space)
        before = g.snapshot_score()
        g.decide({0: act})
        reward, terms = g.reward(0, before)
        info: dict[str, Any] = {
            "tick": g.tick,
            "reward_terms": terms,
            "rejected": list(g.last_rejected[0]),
            "action_mask": g.mask_tuple(0),
        }
        terminated = g.done
        if terminated:
            info["result"] = g.result()
            info["faults"] = list(g.faults)
        return g.observe(0), reward, terminated, False, info

    def render(self) -> str | None:
        """With ``render_mode="ansi"``: the blue team's observation now as JSON text (fog of war respected),
        for language-model coaches: :func:`~shotcaller.envs.text.coach_text_obs` documents the fields.
        Without a render mode: None, with Gymnasium's warning."""
        if self.render_mode is None:
            gym.logger.warn('render() called without a render mode: make the env with render_mode="ansi"')
            return None
        from shotcaller.envs.text import coach_text_obs

        g = self.game
        g.observe(0)  # fills the scalars buffer (apm_left) for this tick
        return coach_text_obs(g.live, 0, self.choice_names, self.action_masks(), g.last_rejected[0], g.scalars[0])

    def action_masks(self) -> np.ndarray:
        """The allowed choices now, flattened as ``MultiDiscrete`` masks are (``sb3_contrib.MaskablePPO``
        reads this): 5 x N leader choices, fortify's 2, then the whole-team order's N."""
        return self.game.action_mask(0).astype(bool)

    def close(self) -> None:
        self.game.close_opponents()
        super().close()
