"""``shotcaller train``: PPO with action masks for the coach, in one file (CleanRL's layout).

The agent is the blue coach of ``vector_env(B, mode="coach")`` (:class:`~shotcaller.envs.vector.CoachVectorEnv`):
B matches stepped together in the compiled core against a list of opponents taken in turn (a mixed
curriculum, e.g. ``pusher`` and ``strategist``). Each decision the policy picks, for each leader, one
allowed row of the choice table, the team's fortify yes/no and one whole-team order (a row of the same
table, one order of the APM budget for all five); masked choices get no probability.

* **Network** (the same as :class:`shotcaller.bots.learned.Policy`, which plays it on numpy): the
  observation's ``leaders``, ``buildings`` and ``scalars`` flattened, a tanh MLP, then the logits of
  each leader's choices, of fortify and of the whole-team order; a separate tanh MLP for the value.
  "No new order" starts likely (``--noop-bias``): a coach that gives random orders to all five every 2 s spends its APM
  budget in seconds and its leaders never finish a plan.
* **Episodes** end for real (``terminated`` when a core falls or at the time limit). The vector env
  resets a finished game at the next step (``NEXT_STEP``): that step's sample is not a transition and
  is left out of the loss, and no value is bootstrapped across the end.
* **Warm start** (optional, ``--bc DATA.npz``): behaviour cloning of the policy (and fitting the value to
  the discounted returns) on a dataset of ``shotcaller dataset export`` before PPO starts.
* **Outputs** in ``--out``: ``progress.csv`` (one row per update), ``learning_curve.png``,
  ``ckpt.pt`` (torch: both networks, the optimiser and the arguments, to continue a run with
  ``--resume``) and ``policy.npz`` (numpy only: plays as the bot ``ckpt:OUT/policy.npz``).

torch is imported when this module is, so import it only to train (``shotcaller[train]``).
"""

from __future__ import annotations

import csv
import json
import math
import random
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from shotcaller.bots.learned import FORMAT, INPUTS, Policy
from shotcaller.sim import encode as E

CSV_COLUMNS = (
    "update",
    "decisions",
    "episodes",
    "seconds",
    "decisions_per_second",
    "policy_loss",
    "value_loss",
    "entropy",
    "approx_kl",
    "clip_fraction",
    "return",
)


@dataclass
class TrainConfig:
    """Every setting of a training run (the CLI's flags; saved in the checkpoint and the policy file)."""

    out: str = "runs/coach"
    opponents: list[str] = field(default_factory=lambda: ["pusher", "strategist"])
    minutes: float = 60.0  # wall-clock budget of the PPO phase
    max_decisions: int = 0  # stop after this many agent decisions as well (0: no limit)
    num_envs: int = 32
    num_steps: int = 128  # decisions per game per update
    learning_rate: float = 3e-4
    anneal_lr: bool = True
    gamma: float = 0.995
    gae_lambda: float = 0.95
    num_minibatches: int = 4
    update_epochs: int = 4
    clip_coef: float = 0.2
    ent_coef: float = 0.001
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    target_kl: float = 0.05
    hidden: list[int] = field(default_factory=lambda: [256, 256])
    noop_bias: float = 7.0
    seed: int = 1
    torch_threads: int = 1
    env_threads: bool = False
    backend: str = "local"
    workers: int = 2
    ray_address: str | None = None
    bc: list[str] | None = None  # datasets of `shotcaller dataset export` (or teacher.npz) to clone first
    teacher: str | None = None  # a bot to clone first, recorded live in the agent's seat
    teacher_decisions: int = 50_000
    bc_epochs: int = 20
    bc_learning_rate: float = 1e-3
    resume: str | None = None
    reward_weights: dict[str, float] = field(default_factory=dict)
    checkpoint_every: int = 10  # updates between checkpoints (and at the end)
    draft: str = "learn"  # "learn": fit a drafter on the run's games (see fit_drafter); "random": none
    progress: bool = True


# ------------------------------------------------------------------------------------------ network
def layer(i: int, o: int, std: float = math.sqrt(2)) -> nn.Linear:
    lin = nn.Linear(i, o)
    nn.init.orthogonal_(lin.weight, std)
    nn.init.constant_(lin.bias, 0.0)
    return lin


def mlp(sizes: list[int]) -> nn.Sequential:
    mods: list[nn.Module] = []
    for i, o in zip(sizes[:-1], sizes[1:], strict=True):
        mods += [layer(i, o), nn.Tanh()]
    return nn.Sequential(*mods)


class Agent(nn.Module):
    """Actor (tanh MLP then the masked logits of 5 leaders x N choices, fortify's 2 and the whole-team
    order's N, the layout of the flattened action mask) and critic."""

    def __init__(self, n_inputs: int, n_choices: int, hidden: list[int], noop_bias: float) -> None:
        super().__init__()
        self.n = n = n_choices
        self.actor_trunk = mlp([n_inputs, *hidden])
        self.actor_head = layer(hidden[-1], 6 * n + 2, std=0.01)
        with torch.no_grad():  # "no new order" (row 0 of each leader and of the team, fortify's "no") starts likely
            self.actor_head.bias[0 : 5 * n : n] = noop_bias
            self.actor_head.bias[5 * n] = noop_bias
            self.actor_head.bias[5 * n + 2] = noop_bias
        self.critic = nn.Sequential(mlp([n_inputs, *hidden]), layer(hidden[-1], 1, std=1.0))

    def value(self, x: torch.Tensor) -> torch.Tensor:
        return self.critic(x).squeeze(-1)

    def logits(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Masked logits: (M, 6, N) for the leaders then the whole team, and (M, 2) for fortify."""
        z = self.actor_head(self.actor_trunk(x))
        n = self.n
        rows = torch.cat([z[:, : 5 * n], z[:, 5 * n + 2 :]], 1).reshape(-1, 6, n)
        rows_mask = torch.cat([mask[:, : 5 * n], mask[:, 5 * n + 2 :]], 1).reshape(-1, 6, n)
        fort = z[:, 5 * n : 5 * n + 2]
        neg = torch.tensor(-1e9, dtype=z.dtype)
        rows = torch.where(rows_mask, rows, neg)
        fort = torch.where(mask[:, 5 * n : 5 * n + 2], fort, neg)
        return rows, fort

    def evaluate(
        self, x: torch.Tensor, mask: torch.Tensor, action: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(action, its log-probability, the policy's entropy, the value) for observations ``x``; samples
        an action when none is given. An action is (M, 7): 5 leaders' rows, fortify, the whole-team row."""
        lead, fort = self.logits(x, mask)
        dl = torch.distributions.Categorical(logits=lead, validate_args=False)
        df = torch.distributions.Categorical(logits=fort, validate_args=False)
        if action is None:
            rows = dl.sample()
            action = torch.cat([rows[:, :5], df.sample()[:, None], rows[:, 5:]], dim=1)
        rows_act = torch.cat([action[:, :5], action[:, 6:]], 1)
        logp = dl.log_prob(rows_act).sum(1) + df.log_prob(action[:, 5])
        # the entropy of masked-out choices is 0 * log 0: keep it finite
        pl = torch.softmax(lead, -1)
        ent_l = -(pl * torch.log_softmax(lead, -1)).nan_to_num(0.0).sum(-1).sum(-1)
        pf = torch.softmax(fort, -1)
        ent_f = -(pf * torch.log_softmax(fort, -1)).nan_to_num(0.0).sum(-1)
        return action, logp, ent_l + ent_f, self.value(x)

    def policy_arrays(self) -> dict[str, np.ndarray]:
        """The actor's weights as :class:`shotcaller.bots.learned.Policy` reads them (W as in x @ W)."""
        out: dict[str, np.ndarray] = {}
        lins = [m for m in self.actor_trunk if isinstance(m, nn.Linear)]
        for k, lin in enumerate(lins):
            out[f"w{k}"] = lin.weight.detach().numpy().T.copy()
            out[f"b{k}"] = lin.bias.detach().numpy().copy()
        out["head_w"] = self.actor_head.weight.detach().numpy().T.copy()
        out["head_b"] = self.actor_head.bias.detach().numpy().copy()
        return out


def features(obs: dict[str, np.ndarray]) -> np.ndarray:
    """(B, n_inputs) float32: the batched observation's ``leaders``, ``buildings``, ``scalars`` flattened."""
    b = obs[INPUTS[0]].shape[0]
    return np.concatenate([np.asarray(obs[k], np.float32).reshape(b, -1) for k in INPUTS], axis=1)


# ------------------------------------------------------------------------------------------ files
#: the fewest finished games :func:`fit_drafter` fits a draft model on
MIN_DRAFT_GAMES = 200


def fit_drafter(drafts: np.ndarray, winners: np.ndarray, ridge: float = 10.0) -> dict[str, Any] | None:
    """The drafter of a run: the draft model of :mod:`shotcaller.bots.draft_table` (log-odds of a win from
    the two lineups) fitted on the run's own finished games, ``drafts`` (M, 10) hero ids (the agent's
    five first) and ``winners`` (M,) (0: the agent won, 1: it lost, 2: a draw). The games' drafts are
    the env's seeded random ones, so every lineup is explored without bias.

    Of the model's variants (:data:`~shotcaller.bots.draft_table.CV_VARIANTS`) the one with the lowest
    cross-validated log loss (5 folds) is fitted on all games; when none beats a coin the run has no
    drafter (None), as with fewer than :data:`MIN_DRAFT_GAMES` games. Returns the ``draft`` record of the
    policy file: ``table`` (the model, as :func:`~shotcaller.bots.draft_table.validate_table` reads it),
    ``terms``, ``cv`` (each variant's log loss) and ``games``."""
    from shotcaller.bots.draft_table import CV_VARIANTS, cross_validate, fit_table
    from shotcaller.content import load_content

    D, w = np.asarray(drafts, np.int64).reshape(-1, 10), np.asarray(winners, np.int64).reshape(-1)
    if len(D) < MIN_DRAFT_GAMES:
        return None
    content = load_content()
    names = tuple(content.leader_names)
    cv = cross_validate(D, w, len(names), ridge)
    best = min((k for k, t in CV_VARIANTS.items() if t is not None), key=lambda k: cv[k])
    if cv[best] >= cv["coin"]:
        return None
    terms = CV_VARIANTS[best] or ()  # never the coin's None: best is a fitted variant
    table = fit_table(D, w, names, ridge, terms=terms)
    table.update(content_version=content.version, ridge=ridge)
    return {
        "table": table,
        "terms": list(terms),
        "cv": {k: round(v, 4) for k, v in cv.items()},
        "games": len(D),
    }


def policy_meta(env: Any, cfg: TrainConfig, stats: dict[str, Any]) -> dict[str, Any]:
    from shotcaller.content import load_content
    from shotcaller.envs.coach import DEFAULT_DECIDE_EVERY_S
    from shotcaller.sim.backend import game_version

    content = load_content()

    return {
        "format": FORMAT,
        "n_choices": int(env.n_choices),
        "choice_names": list(env.choice_names),
        "inputs": list(INPUTS),
        "hidden": list(cfg.hidden),
        "activation": "tanh",
        "game_version": game_version(content.version),
        "content_version": content.version,
        "decide_every_s": DEFAULT_DECIDE_EVERY_S,
        "trained": {k: v for k, v in stats.items() if k != "draft"},
        "config": asdict(cfg),
        "draft": stats.get("draft"),
    }


def save(agent: Agent, opt: torch.optim.Optimizer, env: Any, cfg: TrainConfig, stats: dict[str, Any]) -> None:
    """Write ``ckpt.pt`` and ``policy.npz`` in ``cfg.out`` (each through a temporary file, so a run
    killed while saving keeps the previous pair)."""
    out = Path(cfg.out)
    meta = policy_meta(env, cfg, stats)
    arrays = agent.policy_arrays()
    tmp = out / "policy.tmp.npz"
    named: dict[str, Any] = {**arrays, "meta": np.array(json.dumps(meta))}  # Any: numpy's stubs vary by release
    np.savez_compressed(tmp, **named)
    Policy.load(tmp)  # never ship a file the bot cannot read
    tmp.replace(out / "policy.npz")
    ck = {
        "policy": {k: torch.from_numpy(v) for k, v in arrays.items()},
        "agent": agent.state_dict(),
        "optimizer": opt.state_dict(),
        "meta": json.dumps(meta),
    }
    torch.save(ck, out / "ckpt.tmp.pt")
    (out / "ckpt.tmp.pt").replace(out / "ckpt.pt")


def plot_curve(csv_path: Path, png_path: Path, opponents: list[str]) -> None:
    """The learning curve: win rate per opponent (last 100 games) and mean return against decisions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with csv_path.open() as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return
    x = [int(r["decisions"]) / 1e6 for r in rows]
    minutes = float(rows[-1]["seconds"]) / 60
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    for o in opponents:
        col = f"win_rate_vs_{o}"
        ys = [float(r[col]) if r.get(col) not in (None, "") else float("nan") for r in rows]
        a1.plot(x, ys, label=f"vs {o}")
    a1.set_xlabel("agent decisions (millions)")
    a1.set_ylabel("win rate (last 100 games)")
    a1.set_ylim(0, 1)
    a1.axhline(0.5, color="grey", lw=0.5)
    a1.legend()
    a2.plot(x, [float(r["return"]) if r["return"] else float("nan") for r in rows])
    a2.set_xlabel("agent decisions (millions)")
    a2.set_ylabel("mean episode return (last 100)")
    fig.suptitle(f"shotcaller train: {minutes:.0f} min")
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)


# ------------------------------------------------------------------------------------------ warm start
def collect_teacher(env: Any, cfg: TrainConfig, log: Any) -> dict[str, np.ndarray]:
    """``cfg.teacher_decisions`` decisions of the bot ``cfg.teacher`` playing the agent's seat of ``env``:
    the features, masks, actions (its orders as env actions), rewards, ends and episode ids."""
    from shotcaller.train.imitate import Teacher

    teacher = Teacher(env, str(cfg.teacher))
    obs, info = env.reset(seed=(cfg.seed * 7_919 + 17) % 10**9)
    for b in range(env.num_envs):
        teacher.start(b)
    xs, ms, acts, rews, terms, eps = [], [], [], [], [], []
    episode = np.arange(env.num_envs)
    next_ep = int(env.num_envs)
    ended = np.zeros(env.num_envs, bool)
    taken = 0
    while taken < cfg.teacher_decisions:
        mask = info["action_mask"]
        act = teacher.actions(mask)
        keep = ~ended
        x = features(obs)
        obs, reward, terminated, truncated, info = env.step(act)
        xs.append(x[keep])
        ms.append(mask[keep])
        acts.append(act[keep])
        rews.append(np.asarray(reward, np.float32)[keep])
        terms.append(np.logical_or(terminated, truncated)[keep])
        eps.append(episode[keep])
        taken += int(keep.sum())
        for g in np.flatnonzero(ended):  # reset at this step: a new match, a new teacher game
            teacher.start(int(g))
            episode[g] = next_ep
            next_ep += 1
        ended = np.logical_or(terminated, truncated)
    data = {
        "x": np.concatenate(xs),
        "action_mask": np.concatenate(ms),
        "actions": np.concatenate(acts),
        "rewards": np.concatenate(rews),
        "terminated": np.concatenate(terms),
        "episode": np.concatenate(eps),
    }
    # samples in episode order, so the discounted returns run along each game
    order = np.lexsort((np.arange(len(data["episode"])), data["episode"]))
    data = {k: v[order] for k, v in data.items()}
    orders = int((data["actions"] != 0).sum())
    log(
        f"teacher {cfg.teacher}: {taken:,} decisions, {orders:,} orders recorded"
        + (f", left out (no choice row): {dict(teacher.unmapped)}" if teacher.unmapped else "")
    )
    for c in teacher.coaches:
        c.close()
    return data


class BCDataError(ValueError):
    """A file ``--bc`` cannot clone; the message names it and what is wrong."""


BC_ARRAYS = ("x", "action_mask", "actions", "rewards", "terminated", "episode")


def load_bc(path: str) -> dict[str, np.ndarray]:
    """What :func:`behaviour_cloning` reads from a dataset of ``shotcaller dataset export`` or a teacher
    recording of an earlier run (``OUT/teacher.npz``)."""
    from shotcaller.arena.dataset import DatasetError, load_dataset

    try:
        with np.load(path, allow_pickle=False) as z:
            if "x" in z.files:  # a teacher recording
                data = {k: z[k] for k in z.files}
                missing = [k for k in BC_ARRAYS if k not in data]
                if missing:
                    raise BCDataError(f"{path}: a teacher recording without {', '.join(missing)}")
                return data
    except (OSError, ValueError, EOFError) as e:
        if isinstance(e, BCDataError):
            raise
        raise BCDataError(f"{path}: not a readable .npz file: {e}") from None
    try:
        loaded = dict(load_dataset(path))
    except DatasetError as e:
        raise BCDataError(str(e)) from None
    loaded["x"] = features(loaded)
    return loaded


def load_bc_files(paths: list[str]) -> dict[str, np.ndarray]:
    """The arrays :func:`behaviour_cloning` reads from several files (:func:`load_bc`), joined; each
    file's episodes stay apart."""
    parts: list[dict[str, np.ndarray]] = []
    first = 0
    for path in paths:
        d = load_bc(path)
        part = {k: np.asarray(d[k]) for k in BC_ARRAYS}
        if part["x"].ndim != 2 or (parts and part["x"].shape[1] != parts[0]["x"].shape[1]):
            raise BCDataError(f"{path}: its observations do not match the other files' ({part['x'].shape})")
        if part["actions"].ndim != 2 or part["actions"].shape[1] != E.N_ACTION:
            raise BCDataError(
                f"{path}: actions of shape {part['actions'].shape}, not (n, {E.N_ACTION}) (Shotcaller-v1's action; "
                "record it again with this version)"
            )
        if parts and part["action_mask"].shape[1] != parts[0]["action_mask"].shape[1]:
            raise BCDataError(f"{path}: its action masks do not match the other files' (another choice table)")
        ep = part["episode"].astype(np.int64)
        part["episode"] = ep - (ep.min() if ep.size else 0) + first
        first = int(part["episode"].max()) + 1 if ep.size else first
        parts.append(part)
    return {k: np.concatenate([p[k] for p in parts]) for k in BC_ARRAYS}


def behaviour_cloning(
    agent: Agent, opt: torch.optim.Optimizer, cfg: TrainConfig, data: dict[str, np.ndarray], log: Any
) -> dict[str, float]:
    """Fit the actor to the recorded actions (cross-entropy over the allowed choices) and the critic to
    their discounted returns, ``cfg.bc_epochs`` passes. Returns the final accuracy and losses."""
    x = torch.from_numpy(np.asarray(data["x"], np.float32))
    mask = torch.from_numpy(np.asarray(data["action_mask"]) != 0)
    act = torch.from_numpy(np.asarray(data["actions"], np.int64))
    rew = np.asarray(data["rewards"], np.float64)
    end = np.asarray(data["terminated"], bool)
    ep = np.asarray(data["episode"], np.int64)
    ret = np.zeros_like(rew)
    g = 0.0
    for t in range(len(rew) - 1, -1, -1):  # discounted returns within each episode
        if end[t] or t == len(rew) - 1 or ep[t + 1] != ep[t]:
            g = 0.0
        g = rew[t] + cfg.gamma * g
        ret[t] = g
    rt = torch.from_numpy(ret.astype(np.float32))
    offsets = torch.tensor([lo for lo, _hi in E.mask_offsets(agent.n)])
    ok = mask.gather(1, act + offsets).all(1)  # every part's choice allowed by its mask
    x, mask, act, rt = x[ok], mask[ok], act[ok], rt[ok]
    n = x.shape[0]
    if n == 0:
        raise ValueError("behaviour cloning: no sample whose action its mask allows")
    stats: dict[str, float] = {"samples": float(n)}
    for group in opt.param_groups:
        group["lr"] = cfg.bc_learning_rate
    for epoch in range(cfg.bc_epochs):
        perm = torch.randperm(n)
        tot, correct, vl, hit, given = 0.0, 0.0, 0.0, 0.0, 0.0
        for i in range(0, n, 256):
            idx = perm[i : i + 256]
            _, logp, _, v = agent.evaluate(x[idx], mask[idx], act[idx])
            vloss = ((v - rt[idx]) ** 2).mean()
            loss = -logp.mean() + 0.5 * vloss
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(agent.parameters(), cfg.max_grad_norm)
            opt.step()
            with torch.no_grad():
                rows, fort = agent.logits(x[idx], mask[idx])
                best = rows.argmax(-1)  # (M, 6): the leaders' rows, then the whole team's
                pred = torch.cat([best[:, :5], fort.argmax(-1)[:, None], best[:, 5:]], 1)  # the action's layout
                correct += float((pred == act[idx]).float().mean(1).sum())
                gave = act[idx] != 0  # the teacher's orders: does the policy give the same one?
                hit += float(((pred == act[idx]) & gave).sum())
                given += float(gave.sum())
            tot += float(-logp.detach().sum())
            vl += float(vloss.detach()) * len(idx)
        stats.update(nll=tot / n, accuracy=correct / n, order_recall=hit / max(given, 1.0), value_loss=vl / n)
        shown = json.dumps({k: round(v, 4) for k, v in stats.items()})
        log(f"behaviour cloning epoch {epoch + 1}/{cfg.bc_epochs}: {shown}")
    return stats


# ------------------------------------------------------------------------------------------ PPO
def make_env(cfg: TrainConfig) -> Any:
    from shotcaller.envs import vector_env

    kwargs: dict[str, Any] = {"opponent": list(cfg.opponents), "reward_weights": cfg.reward_weights or None}
    if cfg.backend == "ray":
        kwargs.update(backend="ray", workers=cfg.workers, ray_address=cfg.ray_address)
    else:
        kwargs["threads"] = cfg.env_threads
    return vector_env(cfg.num_envs, mode="coach", **kwargs)


def train(cfg: TrainConfig, log: Any = print) -> dict[str, Any]:
    """Run PPO as ``cfg`` says; returns the run's summary (also saved with the policy)."""
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(max(1, cfg.torch_threads))
    start = time.monotonic()  # the budget covers the warm start too
    env = make_env(cfg)
    B, T = cfg.num_envs, cfg.num_steps
    obs, info = env.reset(seed=cfg.seed * 1_000_003 % 10**9)
    x_np = features(obs)
    agent = Agent(x_np.shape[1], int(env.n_choices), list(cfg.hidden), cfg.noop_bias)
    opt = torch.optim.Adam(agent.parameters(), lr=cfg.learning_rate, eps=1e-5)
    stats: dict[str, Any] = {}
    if cfg.resume:
        try:
            ck = torch.load(cfg.resume, map_location="cpu", weights_only=True)
            agent.load_state_dict(ck["agent"])
            opt.load_state_dict(ck["optimizer"])
        except Exception as e:  # another network's checkpoint, or not a checkpoint at all
            env.close()
            raise ValueError(
                f"--resume {cfg.resume}: not a checkpoint of this network (--hidden {' '.join(map(str, cfg.hidden))}): "
                f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            ) from None
        log(f"resumed from {cfg.resume}")
    if cfg.bc or cfg.teacher:
        t0 = time.monotonic()
        if cfg.bc:
            data = load_bc_files(cfg.bc)
            log(f"cloning {len(data['actions']):,} decisions of {len(cfg.bc)} file(s)")
        elif cfg.backend == "local":
            data = collect_teacher(env, cfg, log)
        else:  # the teacher reads the games' state: it plays in this process
            from shotcaller.envs import vector_env

            local = vector_env(cfg.num_envs, mode="coach", opponent=list(cfg.opponents))
            data = collect_teacher(local, cfg, log)
            local.close()
        if not cfg.bc:
            recorded: dict[str, Any] = data  # Any: numpy's stubs vary by release
            np.savez_compressed(out / "teacher.npz", **recorded)  # --bc OUT/teacher.npz clones it again
        cloned: dict[str, Any] = dict(behaviour_cloning(agent, opt, cfg, data, log))
        del data
        obs, info = env.reset(seed=cfg.seed * 1_000_003 % 10**9)
        x_np = features(obs)
        cloned["seconds"] = round(time.monotonic() - t0, 1)
        stats["behaviour_cloning"] = cloned
        # a fresh optimiser: Adam's moments from cloning would skew the first PPO steps
        opt = torch.optim.Adam(agent.parameters(), lr=cfg.learning_rate, eps=1e-5)

    n_in = x_np.shape[1]
    M = 6 * int(env.n_choices) + 2
    buf_x = torch.zeros((T, B, n_in))
    buf_mask = torch.zeros((T, B, M), dtype=torch.bool)
    buf_act = torch.zeros((T, B, E.N_ACTION), dtype=torch.long)
    buf_logp = torch.zeros((T, B))
    buf_rew = torch.zeros((T, B))
    buf_term = torch.zeros((T, B))
    buf_val = torch.zeros((T, B))
    buf_valid = torch.zeros((T, B))

    csv_path = out / "progress.csv"
    opp_cols = [f"win_rate_vs_{o}" for o in dict.fromkeys(cfg.opponents)]
    columns = list(CSV_COLUMNS) + opp_cols
    csv_file = csv_path.open("w", newline="")
    writer = csv.DictWriter(csv_file, fieldnames=columns)
    writer.writeheader()

    results: dict[str, deque[float]] = {o: deque(maxlen=100) for o in dict.fromkeys(cfg.opponents)}
    all_results: dict[str, list[int]] = {o: [0, 0, 0] for o in dict.fromkeys(cfg.opponents)}  # won, lost, drawn
    returns: deque[float] = deque(maxlen=100)
    game_drafts: list[np.ndarray] = []  # every finished game's lineups and result, for the drafter
    game_winners: list[int] = []
    fitted_at = 0

    def refit_drafter() -> None:
        nonlocal fitted_at
        if cfg.draft == "learn" and len(game_winners) > fitted_at:
            fitted_at = len(game_winners)
            stats["draft"] = fit_drafter(np.array(game_drafts), np.array(game_winners))

    ep_return = np.zeros(B)
    ended = np.zeros(B, bool)
    budget = cfg.minutes * 60.0
    decisions = episodes = update = 0
    progress = _progress(cfg, budget)
    next_x = torch.from_numpy(x_np)
    next_mask = torch.from_numpy(info["action_mask"] != 0)
    try:
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= budget or (cfg.max_decisions and decisions >= cfg.max_decisions):
                break
            update += 1
            if cfg.anneal_lr:
                frac = max(0.05, 1.0 - elapsed / budget)
                if cfg.max_decisions:
                    frac = min(frac, max(0.05, 1.0 - decisions / cfg.max_decisions))
                opt.param_groups[0]["lr"] = frac * cfg.learning_rate
            for t in range(T):
                buf_x[t] = next_x
                buf_mask[t] = next_mask
                buf_valid[t] = torch.from_numpy((~ended).astype(np.float32))
                with torch.no_grad():
                    action, logp, _, value = agent.evaluate(next_x, next_mask)
                buf_act[t], buf_logp[t], buf_val[t] = action, logp, value
                obs, reward, terminated, truncated, info = env.step(action.numpy())
                done = np.logical_or(terminated, truncated)
                buf_rew[t] = torch.from_numpy(np.asarray(reward, np.float32))
                buf_term[t] = torch.from_numpy(done.astype(np.float32))
                ep_return += np.where(ended, 0.0, reward)
                decisions += int((~ended).sum())
                for b in np.flatnonzero(done):
                    o = env.opponents[b]
                    w = int(info["winner"][b])
                    if "draft" in info:
                        game_drafts.append(np.asarray(info["draft"][b], np.int64))
                        game_winners.append(w)
                    results[o].append(1.0 if w == 0 else 0.0 if w == 1 else 0.5)
                    all_results[o][0 if w == 0 else 1 if w == 1 else 2] += 1
                    returns.append(float(ep_return[b]))
                    ep_return[b] = 0.0
                    episodes += 1
                ended = done
                next_x = torch.from_numpy(features(obs))
                next_mask = torch.from_numpy(info["action_mask"] != 0)
            with torch.no_grad():
                next_value = agent.value(next_x)
            adv = torch.zeros((T, B))
            last = torch.zeros(B)
            for t in reversed(range(T)):
                nv = next_value if t == T - 1 else buf_val[t + 1]
                nonterm = 1.0 - buf_term[t]
                delta = buf_rew[t] + cfg.gamma * nv * nonterm - buf_val[t]
                last = delta + cfg.gamma * cfg.gae_lambda * nonterm * last
                adv[t] = last
            ret = adv + buf_val
            keep = buf_valid.reshape(-1) > 0  # the reset step of a finished game is not a transition
            bx, bm, ba = (
                buf_x.reshape(-1, n_in)[keep],
                buf_mask.reshape(-1, M)[keep],
                buf_act.reshape(-1, E.N_ACTION)[keep],
            )
            blogp, badv, bret, bval = (
                buf_logp.reshape(-1)[keep],
                adv.reshape(-1)[keep],
                ret.reshape(-1)[keep],
                buf_val.reshape(-1)[keep],
            )
            n = int(bx.shape[0])
            clipfracs, kl = [], 0.0
            pg_loss = v_loss = ent = torch.zeros(())
            for _epoch in range(cfg.update_epochs):
                for idx in torch.tensor_split(torch.randperm(n), cfg.num_minibatches):
                    if len(idx) < 2:
                        continue
                    _, newlogp, entropy, newv = agent.evaluate(bx[idx], bm[idx], ba[idx])
                    logratio = newlogp - blogp[idx]
                    ratio = logratio.exp()
                    with torch.no_grad():
                        kl = float(((ratio - 1) - logratio).mean())
                        clipfracs.append(float(((ratio - 1.0).abs() > cfg.clip_coef).float().mean()))
                    a = badv[idx]
                    a = (a - a.mean()) / (a.std() + 1e-8)
                    pg_loss = torch.max(-a * ratio, -a * ratio.clamp(1 - cfg.clip_coef, 1 + cfg.clip_coef)).mean()
                    v_clipped = bval[idx] + (newv - bval[idx]).clamp(-cfg.clip_coef, cfg.clip_coef)
                    v_loss = 0.5 * torch.max((newv - bret[idx]) ** 2, (v_clipped - bret[idx]) ** 2).mean()
                    ent = entropy.mean()
                    loss = pg_loss - cfg.ent_coef * ent + cfg.vf_coef * v_loss
                    opt.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(agent.parameters(), cfg.max_grad_norm)
                    opt.step()
                if cfg.target_kl and kl > cfg.target_kl:
                    break
            secs = time.monotonic() - start
            row: dict[str, Any] = {
                "update": update,
                "decisions": decisions,
                "episodes": episodes,
                "seconds": round(secs, 1),
                "decisions_per_second": round(decisions / max(secs, 1e-9), 1),
                "policy_loss": round(float(pg_loss.detach()), 5),
                "value_loss": round(float(v_loss.detach()), 5),
                "entropy": round(float(ent.detach()), 4),
                "approx_kl": round(kl, 5),
                "clip_fraction": round(float(np.mean(clipfracs)) if clipfracs else 0.0, 4),
                "return": round(float(np.mean(returns)), 4) if returns else "",
            }
            for o, col in zip(results, opp_cols, strict=True):
                row[col] = round(float(np.mean(results[o])), 4) if results[o] else ""
            writer.writerow(row)
            csv_file.flush()
            progress.update(secs, decisions, episodes, row, opp_cols)
            stats.update(
                decisions=decisions,
                episodes=episodes,
                updates=update,
                seconds=round(secs, 1),
                results={o: dict(zip(("won", "lost", "drawn"), r, strict=True)) for o, r in all_results.items()},
                last_100={o: row[c] for o, c in zip(results, opp_cols, strict=True)},
            )
            if update % cfg.checkpoint_every == 0:
                refit_drafter()
                save(agent, opt, env, cfg, stats)
                plot_curve(csv_path, out / "learning_curve.png", list(results))
    finally:
        progress.close()
        csv_file.close()
    refit_drafter()
    save(agent, opt, env, cfg, stats)
    plot_curve(csv_path, out / "learning_curve.png", list(results))
    env.close()
    return stats


class _progress:
    """A rich progress bar over the wall-clock budget (or nothing, with ``progress=False``)."""

    def __init__(self, cfg: TrainConfig, budget: float) -> None:
        self.bar: Any = None
        if not cfg.progress:
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("[bold]train"),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]}"),
        )
        self.task = self.bar.add_task("train", total=budget, status="")
        self.bar.start()

    def update(self, secs: float, decisions: int, episodes: int, row: dict[str, Any], cols: list[str]) -> None:
        if self.bar is None:
            return
        rates = " ".join(f"{c[len('win_rate_vs_') :]} {row[c]:.0%}" for c in cols if row[c] != "")
        status = f"{decisions:,} decisions, {episodes} games, {row['decisions_per_second']:.0f}/s  {rates}"
        self.bar.update(self.task, completed=secs, status=status)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
