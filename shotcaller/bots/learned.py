"""Coaches that play a trained policy on numpy alone: ``learned`` (the shipped one) and ``ckpt:PATH``.

A policy file is a numpy ``.npz`` written by ``shotcaller train`` (:mod:`shotcaller.train.ppo`): the
weights of a small network over the coach environment's observation (``Shotcaller-v1``) and a JSON
``meta`` record (format, layer sizes, the choice names it was trained with, the game version, how it
was trained). Loading one runs no code (``allow_pickle=False``), so a policy file from a stranger is
data, not a program. A torch checkpoint (``.pt``) from a training run loads too when torch is
installed (``weights_only=True``); its ``policy.npz`` twin needs nothing but numpy.

The network (the same in :mod:`shotcaller.train.ppo`): the observation's ``leaders`` (10, LF),
``buildings`` (26, BF) and ``scalars`` (SF,) flattened and concatenated, hidden layers with tanh, then
the logits of each leader's N choices, of fortify's 2 and of the whole-team order's N (a policy trained
before the whole-team order joined the action, ``Shotcaller-v0``, has no such head and never gives
one). Choices the mask forbids are never taken;
``greedy`` takes the most likely allowed choice, otherwise one is sampled (seeded by the match seed).

A policy file may also carry a draft model (``meta["draft"]``: the win log-odds of the two lineups that
``shotcaller train`` fitted on the run's own games, :func:`shotcaller.train.ppo.fit_drafter`); the coach
then drafts with it (:func:`~shotcaller.bots.drafters.greedy_pick`), otherwise it gets random picks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.bots.base import Coach, MatchInfo, Order
from shotcaller.sim import layout as L

FORMAT = "shotcaller-policy-1"
INPUTS = ("leaders", "buildings", "scalars")  # the observation parts the network reads, in order
BUILTIN_POLICY = Path(__file__).with_name("data") / "learned.npz"
REJECTED = L.EVENT_NAMES[L.E_ORDER_REJECTED]


class PolicyLoadError(ValueError):
    """A policy file that cannot be used; the message names the file and what is wrong."""


def _draft_table(record: Any, where: str) -> dict[str, Any] | None:
    """The validated draft model of a policy's ``meta["draft"]`` record (None when there is none)."""
    if not record:
        return None
    from shotcaller.bots.draft_table import validate_table
    from shotcaller.content import ContentError

    if not isinstance(record, dict) or not isinstance(record.get("table"), dict):
        raise PolicyLoadError(
            f"policy {where!r}: a broken draft model in its meta record: expected an object with a 'table' "
            f"object, got {type(record).__name__}"
        )
    try:
        return validate_table(record["table"], Path(where))
    except (ContentError, KeyError, TypeError) as e:
        raise PolicyLoadError(f"policy {where!r}: a broken draft model in its meta record: {e}") from None


@dataclass
class Policy:
    """A trained coach policy's weights: ``layers`` [(W, b), ...] of the tanh trunk, the policy head
    ``head`` (W, b) and ``meta`` (the file's JSON record)."""

    layers: list[tuple[np.ndarray, np.ndarray]]
    head: tuple[np.ndarray, np.ndarray]
    meta: dict[str, Any]
    #: the draft model the run fitted on its own games' lineups and results (``meta["draft"]["table"]``,
    #: the layout of :mod:`shotcaller.bots.draft_table`); None: the policy drafts at random
    draft_table: dict[str, Any] | None = None

    @property
    def n_choices(self) -> int:
        return int(self.meta["n_choices"])

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read a policy file (``.npz``, or a training checkpoint ``.pt`` when torch is installed)."""
        p = Path(path)
        if not p.is_file():
            raise PolicyLoadError(f"policy {str(p)!r}: no such file")
        if p.suffix == ".pt":
            return cls._from_torch(p)
        try:
            with np.load(p, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except Exception as e:  # a truncated or foreign file: say which and why
            raise PolicyLoadError(f"policy {str(p)!r}: not a readable .npz file ({type(e).__name__}: {e})") from None
        return cls.from_arrays(arrays, str(p))

    @classmethod
    def _from_torch(cls, p: Path) -> Policy:
        try:
            import torch
        except ImportError:
            raise PolicyLoadError(
                f"policy {str(p)!r}: a .pt checkpoint needs torch (pip install 'shotcaller[train]'); "
                "its policy.npz twin plays without it"
            ) from None
        try:
            ck = torch.load(p, map_location="cpu", weights_only=True)
            arrays = {k: v.numpy() for k, v in ck["policy"].items()}
            arrays["meta"] = np.array(ck["meta"])
        except Exception as e:
            raise PolicyLoadError(f"policy {str(p)!r}: not a Shotcaller checkpoint ({type(e).__name__}: {e})") from None
        return cls.from_arrays(arrays, str(p))

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], where: str = "policy") -> Policy:
        """A policy from its named arrays (``meta`` JSON, ``w0``/``b0`` ... and ``head_w``/``head_b``)."""
        try:
            meta = json.loads(str(arrays["meta"]))
        except (KeyError, ValueError) as e:
            raise PolicyLoadError(f"policy {where!r}: no readable 'meta' record ({e})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise PolicyLoadError(f"policy {where!r}: format {meta.get('format')!r}, expected {FORMAT!r}")
        layers = []
        k = 0
        while f"w{k}" in arrays:
            layers.append((arrays[f"w{k}"].astype(np.float32), arrays[f"b{k}"].astype(np.float32)))
            k += 1
        if "head_w" not in arrays or "head_b" not in arrays or not layers:
            raise PolicyLoadError(f"policy {where!r}: missing weights (need w0, b0, ... head_w, head_b)")
        head = (arrays["head_w"].astype(np.float32), arrays["head_b"].astype(np.float32))
        dims = [w.shape for w, _ in layers] + [head[0].shape]
        chain = [*layers, head]
        for w, b in chain:
            if w.ndim != 2 or b.shape != (w.shape[1],):
                raise PolicyLoadError(f"policy {where!r}: inconsistent layer shapes {dims}")
        for (w, _), (w2, _) in zip(chain[:-1], chain[1:], strict=True):
            if w2.shape[0] != w.shape[1]:
                raise PolicyLoadError(f"policy {where!r}: layer sizes do not chain: {dims}")
        n = int(meta.get("n_choices", 0))
        if head[0].shape[1] not in (6 * n + 2, 5 * n + 2):
            raise PolicyLoadError(
                f"policy {where!r}: head has {head[0].shape[1]} outputs, expected 6 * {n} + 2 "
                f"(or 5 * {n} + 2 for a policy without the whole-team order)"
            )
        return cls(layers, head, meta, _draft_table(meta.get("draft"), where))

    @property
    def whole_team(self) -> bool:
        """Whether the policy gives whole-team orders (its head has their N logits)."""
        return int(self.head[0].shape[1]) == 6 * self.n_choices + 2

    def check_inputs(self, obs: dict[str, np.ndarray]) -> None:
        """PolicyLoadError when the observation's size is not the one the policy was trained on."""
        size = sum(int(np.prod(obs[k].shape)) for k in INPUTS)
        if size != self.layers[0][0].shape[0]:
            raise PolicyLoadError(
                f"policy reads {self.layers[0][0].shape[0]} inputs but this game's observation has {size} "
                f"(trained for game {self.meta.get('game_version')!r})"
            )

    def logits(self, obs: dict[str, np.ndarray]) -> np.ndarray:
        """The (6 * N + 2,) logits of one observation (masks not applied; (5 * N + 2,) without the
        whole-team head)."""
        h = np.concatenate([np.asarray(obs[k], np.float32).reshape(-1) for k in INPUTS])
        for w, b in self.layers:
            h = np.tanh(h @ w + b)
        return h @ self.head[0] + self.head[1]

    def act(self, obs: dict[str, np.ndarray], mask: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """An allowed action (5 choice rows, fortify, the whole-team row) for ``obs`` under ``mask``
        ((6 * N + 2,) 0/1): the most likely allowed choice of each part, or a sample when ``rng`` is given."""
        from shotcaller.sim import encode as E

        z = self.logits(obs).astype(np.float64)
        out = np.zeros(E.N_ACTION, np.int64)
        parts = E.mask_offsets(self.n_choices)
        for i, (lo, hi) in enumerate(parts if self.whole_team else parts[: E.ACT_WHOLE]):
            zi = np.where(mask[lo:hi] != 0, z[lo:hi], -np.inf)
            if not np.isfinite(zi).any():
                continue  # nothing allowed: "no new order"
            if rng is None:
                out[i] = int(np.argmax(zi))
            else:
                p = np.exp(zi - zi.max())
                out[i] = int(rng.choice(hi - lo, p=p / p.sum()))
        return out


_WARM = False


def warm_up() -> None:
    """Compile (or load from the cache) the encoders a learned coach calls, once per process, so its first
    decision in a match is not spent compiling: coaches are built before the match, off its clock."""
    global _WARM
    if _WARM:
        return
    from shotcaller.content import load_content
    from shotcaller.sim import build_world, new_state
    from shotcaller.sim.observe import team_view

    view = team_view(new_state(build_world(load_content()), 0), 0)
    view.encoded()
    view.choice_orders(np.zeros(7, np.int64))
    view.expire()
    _WARM = True


class LearnedCoach(Coach):
    """A coach playing a trained policy (see the module docstring); ``path`` defaults to the shipped
    ``learned`` policy. It decides every 2 s, the cadence the coach env trains at."""

    name = "learned"
    decide_every_s = 2.0

    def __init__(self, path: str | Path | None = None, greedy: bool = True) -> None:
        self.path = Path(path) if path is not None else BUILTIN_POLICY
        self.policy = Policy.load(self.path)
        self.greedy = greedy
        self.rng = np.random.default_rng(0)
        self.checked = False
        warm_up()

    def reset(self, info: MatchInfo) -> None:
        self.rng = np.random.default_rng(info.seed)
        self.checked = False

    def wants_draft(self, info: Any) -> bool:
        """Whether it drafts: when its policy file carries a draft model (otherwise: random picks)."""
        return self.policy.draft_table is not None

    def draft(self, view: dict[str, Any], info: Any) -> str:
        """The pick of the policy's draft model (fitted on its training games' lineups and results): the
        free leader that adds the most to the team's win log-odds (:func:`~shotcaller.bots.drafters.greedy_pick`)."""
        table = self.policy.draft_table
        if table is None:
            raise NotImplementedError(f"policy {str(self.path)!r} has no draft model")
        from shotcaller.bots.drafters import greedy_pick

        return greedy_pick(view, info, table)

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        rejected = np.zeros(6, np.int32)
        for ev in view["events"] if "events" in view else []:
            if isinstance(ev, dict) and ev.get("kind") == REJECTED and ev.get("reason") in L.REJECT_REASONS:
                who = int(ev.get("leader", -1))
                rejected[who if 0 <= who < 5 else 5] = L.REJECT_REASONS.index(ev["reason"])
        obs = view.encoded(rejected)
        if not self.checked:
            self.policy.check_inputs(obs)
            self.checked = True
        action = self.policy.act(obs, obs["action_mask"], None if self.greedy else self.rng)
        return [Order(*row) for row in view.choice_orders(action)]


def checkpoint_coach(spec: str) -> LearnedCoach:
    """The coach of a ``ckpt:PATH`` spec (``ckpt:PATH?sample`` samples instead of taking the most likely
    choice)."""
    path, _, mode = spec[len("ckpt:") :].partition("?")
    if mode not in ("", "greedy", "sample"):
        raise PolicyLoadError(f"bot {spec!r}: unknown mode {mode!r} (use ?greedy or ?sample)")
    return LearnedCoach(path, greedy=mode != "sample")
