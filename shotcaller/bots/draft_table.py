"""The draft model's table: read and validate its data file, measure matches, fit, cross-validate, write.

The table (:data:`DRAFT_MODEL_FILE`, ``shotcaller/content/draft_model.toml``) holds the terms of the
model in :mod:`shotcaller.bots.drafters`, fitted to default-plan matches with random drafts. It is data
measured *from* the content, so it is not one of the content files hashed into ``content.version``
(``content/loader.py`` hashes ``loader.FILES`` and the map only): its ``content_version`` says which
content it was measured on. Refit it after a change to the game::

    python -m shotcaller.bots.drafters fit [--matches 6000] [--first-seed 100000] [--workers 1]
                                           [--chunk 250] [--ridge 10] [--folds 5] [--out PATH]
                                           [--cache DIR | --no-cache]

It plays ``--matches`` matches (seeds ``--first-seed`` on) in chunks of ``--chunk`` seeds over
``--workers`` processes, fits the ridge logistic regression (:func:`fit_table`), measures the
cross-validated log loss of the model, of the model without the mid matchups, of strengths alone and
of a coin (:func:`cross_validate`) and writes the file (default: the packaged one; run it in a source
checkout). Progress goes to stderr. Every finished chunk is kept in the per-user cache
(``<cache_dir>/draft-fit/<content version>-<simulation code digest>/``), so a run that is stopped
resumes where it was, and a second fit of the same content (another ``--ridge``) plays nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.argtypes import non_negative_float, positive_int
from shotcaller.content.loader import CONTENT_DIR, ContentError
from shotcaller.sim.layout import DEFAULT_LANES

MID_SLOT = DEFAULT_LANES.index(1)  # the pick that plays the middle lane in the default plan (the third)
DRAFT_MODEL_FILE = CONTENT_DIR / "draft_model.toml"
FIRST_SEED = 100_000
#: The feature groups of the model; :func:`fit_table` and :func:`cross_validate` take a subset.
TERMS: tuple[str, ...] = ("strength", "mid", "mid_vs")
#: Cross-validated variants written to the file's ``[cv]`` table: name -> the terms it fits (None: a coin).
CV_VARIANTS: dict[str, tuple[str, ...] | None] = {
    "model": TERMS,
    "no_mid_vs": ("strength", "mid"),
    "strength_only": ("strength",),
    "coin": None,
}
_ANTISYMMETRY_TOL = 1e-3  # mid_vs[a][b] + mid_vs[b][a], after rounding to 4 decimals


# ------------------------------------------------------------------------------------ reading the file
def _fail(path: Path, field: str, what: str) -> ContentError:
    return ContentError(f"{path.name}: {field}: {what} ({path})")


def _finite(path: Path, field: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise _fail(path, field, f"expected a finite number, got {v!r}")
    return float(v)


def _vector(path: Path, field: str, v: Any, n: int) -> list[float]:
    if not isinstance(v, list) or len(v) != n:
        got = f"{len(v)} values" if isinstance(v, list) else repr(v)
        raise _fail(path, field, f"expected a list of {n} numbers (one per leader), got {got}")
    return [_finite(path, f"{field}[{i}]", x) for i, x in enumerate(v)]


def validate_table(table: dict[str, Any], path: Path = DRAFT_MODEL_FILE) -> dict[str, Any]:
    """Check a table read from ``path`` and return it with numbers as floats.

    Raises:
        ContentError: naming the file and the field: a missing or unknown key, leaders that are not
            distinct names, lists of the wrong length, numbers that are not finite, ``mid_vs`` not
            antisymmetric.
    """
    required = ("content_version", "matches", "leaders", "bias", "strength", "mid", "mid_vs")
    optional = ("first_seed", "ridge", "date", "sim_source", "cv")
    for k in required:
        if k not in table:
            raise _fail(path, k, "missing")
    for k in table:
        if k not in required + optional:
            raise _fail(path, k, f"unknown key (known: {', '.join(required + optional)})")
    out = dict(table)
    cv = table["content_version"]
    if not isinstance(cv, str) or not cv:
        raise _fail(path, "content_version", f"expected the content hash as a string, got {cv!r}")
    m = table["matches"]
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise _fail(path, "matches", f"expected a positive integer, got {m!r}")
    names = table["leaders"]
    if not isinstance(names, list) or not names or not all(isinstance(s, str) and s for s in names):
        raise _fail(path, "leaders", f"expected a list of leader names, got {names!r}")
    if len(set(names)) != len(names):
        dup = sorted({s for s in names if names.count(s) > 1})
        raise _fail(path, "leaders", f"names must be distinct, repeated: {', '.join(dup)}")
    n = len(names)
    out["bias"] = _finite(path, "bias", table["bias"])
    out["strength"] = _vector(path, "strength", table["strength"], n)
    out["mid"] = _vector(path, "mid", table["mid"], n)
    rows = table["mid_vs"]
    if not isinstance(rows, list) or len(rows) != n:
        raise _fail(path, "mid_vs", f"expected {n} rows of {n} numbers (leaders order)")
    out["mid_vs"] = [_vector(path, f"mid_vs[{i}]", r, n) for i, r in enumerate(rows)]
    for i in range(n):
        for j in range(i, n):
            if abs(out["mid_vs"][i][j] + out["mid_vs"][j][i]) > _ANTISYMMETRY_TOL:
                raise _fail(path, f"mid_vs[{i}][{j}]", "not antisymmetric: mid_vs[a][b] must be -mid_vs[b][a]")
    if "cv" in table:
        cvt = table["cv"]
        if not isinstance(cvt, dict):
            raise _fail(path, "cv", f"expected a table, got {cvt!r}")
        out["cv"] = {k: (_finite(path, f"cv.{k}", v) if k != "folds" else v) for k, v in cvt.items()}
    return out


def load_table(path: str | Path = DRAFT_MODEL_FILE) -> dict[str, Any]:
    """Read and validate a draft model file (default: the packaged one).

    Raises:
        ContentError: naming the file and the field (see :func:`validate_table`).
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            table = tomllib.load(f)
    except FileNotFoundError:
        raise ContentError(
            f"{path.name}: file is missing ({path}); `python -m shotcaller.bots.drafters fit` writes it"
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise ContentError(f"{path.name}: not valid TOML: {e} ({path})") from None
    return validate_table(table, path)


# ------------------------------------------------------------------------------------ writing the file
def _num(v: float) -> str:
    return repr(round(float(v), 4) + 0.0)  # + 0.0: no "-0.0"


def format_table(table: dict[str, Any]) -> str:
    """The TOML text of a table (the file is written by :func:`main`, never by hand)."""
    names = table["leaders"]
    lines = [
        "# The draft model of shotcaller/bots/drafters.py (greedy_pick, the `drafter` bot): log-odds terms per",
        "# leader, fitted to default-plan matches with random drafts. Written by",
        "#     python -m shotcaller.bots.drafters fit",
        "# do not edit by hand. This file is NOT part of content.version (content/loader.py hashes only",
        "# loader.FILES and the map): the model is measured from the content, so it cannot be an input to its",
        "# version. `content_version` below names the content it was measured on; with other content the",
        "# drafters warn once (and with other leaders they use a stat prior instead).",
        "",
        f'content_version = "{table["content_version"]}"',
    ]
    if "sim_source" in table:
        lines.append(f'sim_source = "{table["sim_source"]}"  # digest of the simulation code it was measured with')
    if "date" in table:
        lines.append(f'date = "{table["date"]}"')
    lines.append(f"matches = {int(table['matches'])}")
    if "first_seed" in table:
        lines.append(f"first_seed = {int(table['first_seed'])}  # seeds first_seed .. first_seed + matches - 1")
    if "ridge" in table:
        lines.append(f"ridge = {_num(table['ridge'])}  # L2 penalty of the fit")
    lines += [
        "",
        "# lists below are in this order; logit P(blue wins) = bias + strengths (blue - red)",
        "# + mid[blue mid] - mid[red mid] + mid_vs[blue mid][red mid] (the mid is a team's third pick)",
        "leaders = [" + ", ".join(f'"{n}"' for n in names) + "]",
        f"bias = {_num(table['bias'])}",
        "strength = [" + ", ".join(_num(v) for v in table["strength"]) + "]",
        "mid = [" + ", ".join(_num(v) for v in table["mid"]) + "]",
        "mid_vs = [  # mid_vs[a][b]: how much mid a beats mid b (antisymmetric)",
    ]
    for name, row in zip(names, table["mid_vs"], strict=True):
        lines.append(f"    [{', '.join(f'{_num(v):>7}' for v in row)}],  # {name}")
    lines.append("]")
    if "cv" in table:
        cv = table["cv"]
        folds = cv.get("folds", "?")
        lines += ["", f"# {folds}-fold cross-validated log loss (lower is better; a coin is ln 2)", "[cv]"]
        lines += [f"{k} = {v if k == 'folds' else f'{float(v):.4f}'}" for k, v in cv.items()]
    return "\n".join(lines) + "\n"


def write_table(table: dict[str, Any], path: str | Path) -> None:
    """Validate ``table`` and write it to ``path`` atomically (a temporary file, then a rename)."""
    path = Path(path)
    text = format_table(table)
    validate_table(tomllib.loads(text), path)  # what is written reads back
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------------- fitting
def _pairs(n: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(n) for b in range(a + 1, n)]


def _design(D: np.ndarray, n: int, terms: Sequence[str]) -> np.ndarray:
    """Bias column, then the columns of each term in TERMS order."""
    m = len(D)
    rows = np.arange(m)
    cols = [np.ones((m, 1))]
    if "strength" in terms:
        hero = np.zeros((m, n))
        for k in range(5):
            hero[rows, D[:, k]] += 1
            hero[rows, D[:, 5 + k]] -= 1
        cols.append(hero)
    if "mid" in terms:
        mid = np.zeros((m, n))
        mid[rows, D[:, MID_SLOT]] += 1
        mid[rows, D[:, 5 + MID_SLOT]] -= 1
        cols.append(mid)
    if "mid_vs" in terms:
        bm, rm = D[:, MID_SLOT], D[:, 5 + MID_SLOT]
        cols.append(
            np.stack([((bm == a) & (rm == b)).astype(float) - ((bm == b) & (rm == a)) for a, b in _pairs(n)], 1)
        )
    return np.hstack(cols)


def _outcome(winners: np.ndarray) -> np.ndarray:
    return np.where(winners == 0, 1.0, np.where(winners == 1, 0.0, 0.5))  # a draw counts half


def _newton(X: np.ndarray, y: np.ndarray, ridge: float) -> np.ndarray:
    lam = np.full(X.shape[1], ridge)
    lam[0] = 0.0  # the bias is not penalised
    w = np.zeros(X.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-X @ w))
        grad = X.T @ (p - y) + lam * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.diag(lam) + 1e-9 * np.eye(len(w))
        delta = np.linalg.solve(hess, grad)
        w -= delta
        if np.abs(delta).max() < 1e-10:
            break
    return w


def fit_table(
    drafts: np.ndarray,
    winners: np.ndarray,
    names: tuple[str, ...],
    ridge: float = 10.0,
    terms: Sequence[str] = TERMS,
) -> dict[str, Any]:
    """Fit the model to finished matches: ``drafts`` (M, 10) hero ids, ``winners`` (M,) 0 blue, 1 red,
    2 draw (counts half). A ridge logistic regression solved by Newton's method; returns the table's
    model keys (``leaders``, ``matches``, ``bias``, ``strength``, ``mid``, ``mid_vs``). ``terms`` (a subset
    of :data:`TERMS`, as in :data:`CV_VARIANTS`) are fitted; the others are written as zeros."""
    D = np.asarray(drafts, int)
    n = len(names)
    unknown = [t for t in terms if t not in TERMS]
    if unknown:
        raise ValueError(f"unknown model terms {unknown} (known: {', '.join(TERMS)})")
    w = list(_newton(_design(D, n, terms), _outcome(np.asarray(winners)), ridge))
    bias = w.pop(0)
    strength = [w.pop(0) for _ in range(n)] if "strength" in terms else [0.0] * n
    mid = [w.pop(0) for _ in range(n)] if "mid" in terms else [0.0] * n
    mv = np.zeros((n, n))
    if "mid_vs" in terms:
        for a, b in _pairs(n):
            mv[a, b] = w.pop(0)
            mv[b, a] = -mv[a, b]
    r = lambda v: round(float(v), 4) + 0.0  # noqa: E731  (+ 0.0: no "-0.0")
    return {
        "leaders": list(names),
        "matches": len(D),
        "bias": r(bias),
        "strength": [r(v) for v in strength],
        "mid": [r(v) for v in mid],
        "mid_vs": [[r(v) for v in row] for row in mv],
    }


def cross_validate(
    drafts: np.ndarray, winners: np.ndarray, n: int = 10, ridge: float = 10.0, folds: int = 5
) -> dict[str, float]:
    """Mean log loss on held-out matches (``folds`` contiguous folds) of each of :data:`CV_VARIANTS`;
    a draw counts half a win, as in the fit."""
    D = np.asarray(drafts, int)
    y = _outcome(np.asarray(winners))
    if len(D) < 2 * folds:
        raise ValueError(f"cross-validation needs at least {2 * folds} matches, got {len(D)}")
    fold = np.arange(len(D)) * folds // len(D)
    out: dict[str, float] = {}
    for name, terms in CV_VARIANTS.items():
        if terms is None:
            out[name] = math.log(2.0)
            continue
        X = _design(D, n, terms)
        loss = 0.0
        for k in range(folds):
            test = fold == k
            w = _newton(X[~test], y[~test], ridge)
            p = np.clip(1.0 / (1.0 + np.exp(-X[test] @ w)), 1e-12, 1 - 1e-12)
            loss += float(-(y[test] * np.log(p) + (1 - y[test]) * np.log(1 - p)).sum())
        out[name] = loss / len(D)
    return out


# ----------------------------------------------------------------------------------------- measuring
_WORLD: list[Any] = []  # one world per process, built on first use


def _play(seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Default plan on both sides, the simulation's random drafts, to the end: (drafts, winners)."""
    from shotcaller.content import load_content
    from shotcaller.sim import build_world, new_state, step_inplace

    if not _WORLD:
        _WORLD.append(build_world(load_content()))
    world = _WORLD[0]
    limit = int(world.rec["time_limit"])
    state = new_state(world, np.asarray(seeds))
    while not state.done.all() and state.tick.max() <= limit:
        step_inplace(state, None, 2400)
    g = state.arrays.games
    return g["draft"].copy(), g["winner"].copy()


def measure(seeds: Any = None, batch: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Play default-plan matches with random drafts to the end, ``batch`` at a time in this process;
    return (drafts, winners). Seeds default to 100000..105999."""
    seeds = np.arange(FIRST_SEED, FIRST_SEED + 6000) if seeds is None else np.asarray(seeds)
    parts = [_play(seeds[k : k + batch]) for k in range(0, len(seeds), batch)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def chunk_cache_dir(content_version: str) -> Path:
    """Where ``fit`` keeps finished chunks of this content and simulation code."""
    from shotcaller.paths import cache_dir
    from shotcaller.sim.backend import game_source_stamp

    return cache_dir() / "draft-fit" / f"{content_version}-{game_source_stamp().hex()[:16]}"


def measure_chunks(
    seeds: np.ndarray,
    chunk: int = 250,
    workers: int = 1,
    cache: Path | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`measure` in chunks of ``chunk`` seeds over ``workers`` processes, each finished chunk kept
    in ``cache`` (a folder; None: none) and read back from it instead of played again.
    ``progress(done, total, from_cache)`` is called as chunks finish."""
    parts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    todo = []
    for k in range(0, len(seeds), chunk):
        s = seeds[k : k + chunk]
        f = None if cache is None else cache / f"seeds-{int(s[0])}-{int(s[-1])}.npz"
        if f is not None and f.exists():
            with np.load(f) as z:
                if np.array_equal(z["seeds"], s):
                    parts[k] = (z["drafts"], z["winners"])
                    continue
        todo.append((k, s, f))
    cached = sum(len(parts[k][1]) for k in parts)
    done = cached
    if progress:
        progress(done, len(seeds), cached)

    def keep(k: int, s: np.ndarray, f: Path | None, result: tuple[np.ndarray, np.ndarray]) -> None:
        nonlocal done
        parts[k] = result
        if f is not None:
            f.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.with_name(f.stem + ".tmp.npz")
            np.savez(tmp, seeds=s, drafts=result[0], winners=result[1])
            os.replace(tmp, f)
        done += len(s)
        if progress:
            progress(done, len(seeds), cached)

    if workers <= 1 or len(todo) <= 1:
        for k, s, f in todo:
            keep(k, s, f, _play(s))
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_play, s): (k, s, f) for k, s, f in todo}
            for fut in as_completed(futures):
                keep(*futures[fut], fut.result())
    order = sorted(parts)
    return np.concatenate([parts[k][0] for k in order]), np.concatenate([parts[k][1] for k in order])


# ----------------------------------------------------------------------------------------------- CLI
def main(argv: Sequence[str] | None = None) -> int:
    """``python -m shotcaller.bots.drafters fit ...`` (see the module docstring); returns the exit code."""
    ap = argparse.ArgumentParser(
        prog="python -m shotcaller.bots.drafters",
        description="Refit the draft model's table (shotcaller/content/draft_model.toml) on the current content.",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    fit = sub.add_parser("fit", help="play matches with random drafts, fit the model, write the table")
    fit.add_argument("--matches", type=positive_int, default=6000, help="matches to play (default 6000)")
    fit.add_argument("--first-seed", type=int, default=FIRST_SEED, help=f"first seed (default {FIRST_SEED})")
    fit.add_argument("--workers", type=positive_int, default=1, help="processes playing matches (default 1)")
    fit.add_argument("--chunk", type=positive_int, default=250, help="matches per chunk (default 250)")
    fit.add_argument("--ridge", type=non_negative_float, default=10.0, help="L2 penalty (default 10)")
    fit.add_argument("--folds", type=positive_int, default=5, help="cross-validation folds (default 5)")
    fit.add_argument("--out", type=Path, default=DRAFT_MODEL_FILE, help="file to write (default: the packaged one)")
    where = fit.add_mutually_exclusive_group()
    where.add_argument("--cache", type=Path, help="folder for finished chunks (default: the per-user cache)")
    where.add_argument("--no-cache", action="store_true", help="keep no chunks: a stopped run starts over")
    args = ap.parse_args(argv)
    if args.folds < 2:
        ap.error(f"--folds must be at least 2, got {args.folds}")
    if args.matches < 2 * args.folds:
        ap.error(f"--matches must be at least {2 * args.folds} for {args.folds}-fold cross-validation")
    if not args.out.parent.is_dir():
        ap.error(f"--out: folder {args.out.parent} does not exist")

    from shotcaller.content import load_content
    from shotcaller.sim.backend import game_source_stamp

    content = load_content()
    cache = None if args.no_cache else (args.cache or chunk_cache_dir(content.version))
    seeds = np.arange(args.first_seed, args.first_seed + args.matches)
    print(
        f"draft fit: content {content.version}, {args.matches} matches (seeds {seeds[0]}..{seeds[-1]}),"
        f" {args.workers} worker(s), chunks in {cache or '(no cache)'}",
        file=sys.stderr,
    )
    t0 = time.monotonic()

    def progress(done: int, total: int, cached: int) -> None:
        el = time.monotonic() - t0
        played = done - cached
        left = (total - done) * el / played if played else float("nan")
        eta = f", ~{left / 60:.1f} min left" if played and done < total else ""
        print(f"  {done}/{total} matches ({cached} from the cache), {el:.0f} s{eta}", file=sys.stderr, flush=True)

    drafts, winners = measure_chunks(seeds, args.chunk, args.workers, cache, progress)
    t_play = time.monotonic() - t0
    table: dict[str, Any] = {
        "content_version": content.version,
        "sim_source": game_source_stamp().hex()[:16],
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "first_seed": int(seeds[0]),
        "ridge": args.ridge,
    }
    table.update(fit_table(drafts, winners, content.leader_names, args.ridge))
    cv = cross_validate(drafts, winners, len(content.leader_names), args.ridge, args.folds)
    table["cv"] = {"folds": args.folds, **cv}
    write_table(table, args.out)
    draws = int((winners == 2).sum())
    print(
        f"wrote {args.out}: {args.matches} matches ({draws} draws, blue won {float((winners == 0).mean()):.1%}),"
        f" {t_play:.0f} s playing, {time.monotonic() - t0 - t_play:.1f} s fitting",
        file=sys.stderr,
    )
    print(f"cross-validated log loss ({args.folds} folds): " + ", ".join(f"{k} {v:.4f}" for k, v in cv.items()))
    s = np.array(table["strength"])
    print(
        f"strengths span {s.max() - s.min():.2f} log-odds: "
        + ", ".join(f"{n} {v:+.2f}" for v, n in sorted(zip(s, content.leader_names, strict=True), reverse=True))
    )
    return 0
