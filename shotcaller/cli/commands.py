"""The ``shotcaller`` commands: each runs one command from its parsed arguments and returns the exit code.

The parser (:mod:`shotcaller.cli.parser`) maps each command to its ``command_*`` function. Heavy
modules are imported inside each command, so ``shotcaller --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def command_match(args: argparse.Namespace) -> int:
    from shotcaller.arena.match import play_match
    from shotcaller.content import ContentError, MapError, load_content
    from shotcaller.sim import Params, SimConfig, build_world

    try:
        blue, red = _coaches("match", [args.blue, args.red], args.allow_unsandboxed)
    except ValueError as e:
        print(f"shotcaller match: {e}", file=sys.stderr)
        return 2
    try:
        content = load_content(map_name=args.map)
    except (ContentError, MapError) as e:
        print(f"shotcaller match: {e}", file=sys.stderr)
        return 2
    params = Params(latency_s=args.latency, apm=args.apm, time_limit_s=args.time_limit)
    world = build_world(content, SimConfig(map_name=args.map), params)
    try:
        budgets = _budgets(args, (blue, red))
    except ValueError as e:
        print(f"shotcaller match: {e}", file=sys.stderr)
        return 2
    try:
        out = play_match(
            blue, red, seed=args.seed, world=world, replay_path=args.replay, budgets=budgets, log_dir=args.bot_logs
        )
    except OSError as e:
        print(f"shotcaller match: cannot write replay: {e}", file=sys.stderr)
        return 2
    res = out.result
    story = _match_timeline(out.replay, world) if args.timeline else None
    if args.json:
        print(json.dumps(res if story is None else {**res, "timeline": story.entries}))
    else:
        _print_summary(res, args)
    return 0 if story is None else _print_match_timeline(story, args.json)


def _coaches(command: str, specs: list[str], allow_unsandboxed: bool) -> list[Any]:
    """Load each bot and check that it starts (raises ValueError with one line when one cannot);
    a bot that will run without a sandbox is announced on stderr with the risk."""
    import warnings

    from shotcaller.bots import make_coach
    from shotcaller.bots.base import as_coach

    out = []
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for spec in specs:
            coach = as_coach(make_coach(spec, allow_unsandboxed=allow_unsandboxed))
            coach.preflight()
            out.append(coach)
    for msg in dict.fromkeys(str(w.message) for w in seen):
        print(f"shotcaller {command}: warning: {msg}", file=sys.stderr)
    return out


def _print_summary(res: dict[str, Any], args: argparse.Namespace) -> None:
    w = res["winner"]
    head = "Draw" if w == "draw" else f"{w.capitalize()} wins"
    print(
        f"{head} ({res['end_reason']}) after {res['minutes']:.1f} game minutes "
        f"({res['ticks']} ticks), seed {res['seed']}"
    )
    print(
        f"blue: {args.blue:<10} buildings lost {res['buildings_lost']['blue']:>2}   "
        f"red: {args.red:<10} buildings lost {res['buildings_lost']['red']:>2}"
    )
    print(f"{'leader':<22}{'K':>4}{'D':>4}{'LH':>5}{'gold':>8}{'damage':>9}  items")
    for ld in res["leaders"]:
        print(
            f"{ld['id'] + ' ' + ld['leader']:<22}{ld['kills']:>4}{ld['deaths']:>4}{ld['last_hits']:>5}"
            f"{ld['gold']:>8.0f}{ld['damage']:>9.0f}  {', '.join(ld['items'])}"
        )
    if res.get("faults"):
        print(
            f"bot faults: {len(res['faults'])} (first: {res['faults'][0]['team']} at tick "
            f"{res['faults'][0]['tick']}: {res['faults'][0]['reason']})"
        )
    if args.replay:
        print(f"replay written to {args.replay}")


def command_replay_verify(args: argparse.Namespace) -> int:
    from shotcaller.arena.replay import ReplayError, load_replay, resimulate

    try:
        rep = load_replay(args.path)
        _, res = resimulate(rep)
    except ReplayError as e:
        print(f"shotcaller replay verify: {e}", file=sys.stderr)
        return 2
    if res.ok:
        print(f"ok: {res.checked} checksums match ({args.path})")
        return 0
    print(
        f"diverged at tick {res.first_bad_tick}: expected {res.expected}, got {res.got} "
        f"({res.checked} earlier checksums matched)",
        file=sys.stderr,
    )
    return 1


def _match_timeline(rep: Any, world: Any) -> Any:
    from shotcaller.arena.timeline import build_timeline

    return build_timeline(rep, world)


def _print_match_timeline(story: Any, as_json: bool) -> int:
    """The timeline after a match's summary (with --json it is already in the object); exit 1 when the
    match's own replay does not re-simulate to its checksums (a determinism bug)."""
    from shotcaller.arena.timeline import format_timeline

    if not as_json:
        print()
        print("\n".join(format_timeline(story.entries)))
    if not story.verified.ok:
        print(f"shotcaller match: the replay diverged at tick {story.verified.first_bad_tick}", file=sys.stderr)
        return 1
    return 0


def command_replay_show(args: argparse.Namespace) -> int:
    from shotcaller.arena.replay import ReplayError, load_replay
    from shotcaller.arena.timeline import ENTRY_TYPES, build_timeline, filter_entries, format_timeline

    def types(flag: str, text: str | None) -> set[str] | None:
        if text is None:
            return None
        got = {t.strip() for t in text.split(",") if t.strip()}
        bad = sorted(got - set(ENTRY_TYPES))
        if bad:
            raise ValueError(f"{flag}: unknown entry type {', '.join(bad)} (types: {', '.join(ENTRY_TYPES)})")
        return got

    try:
        only, skip = types("--only", args.only), types("--skip", args.skip)
    except ValueError as e:
        print(f"shotcaller replay show: {e}", file=sys.stderr)
        return 2
    if args.tui:
        printing = [
            f
            for f, v in (
                ("--json", args.json),
                ("--only", args.only),
                ("--skip", args.skip),
                ("--side", args.side),
                ("--limit", args.limit),
            )
            if v
        ]
        if printing:
            print(
                f"shotcaller replay show: --tui shows the whole replay; {', '.join(printing)} only apply "
                "to the printed timeline",
                file=sys.stderr,
            )
            return 2
        return _replay_tui(args)
    try:
        tl = build_timeline(load_replay(args.path))
    except ReplayError as e:
        print(f"shotcaller replay show: {e}", file=sys.stderr)
        return 2
    entries = filter_entries(tl.entries, only=only, skip=skip, side=args.side, limit=args.limit)
    if args.json:
        print(json.dumps(entries))
    else:
        print("\n".join(format_timeline(entries)))
    if not tl.verified.ok:
        v = tl.verified
        print(
            f"shotcaller replay show: {args.path}: diverged at tick {v.first_bad_tick} (expected {v.expected}, "
            f"got {v.got}): the timeline is not the recorded match after that",
            file=sys.stderr,
        )
        return 1
    return 0


def _terminal_problem() -> str | None:
    """Why the terminal game cannot open here, or None."""
    import shutil

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "needs an interactive terminal (stdin and stdout are not a terminal)"
    cols, lines = shutil.get_terminal_size((0, 0))
    if cols and lines and (cols < 80 or lines < 24):
        return f"needs a terminal of at least 80x24 characters, this one is {cols}x{lines}"
    return None


def _live_world(command: str, args: argparse.Namespace) -> Any:
    from shotcaller.content import ContentError, MapError, load_content
    from shotcaller.sim import Params, SimConfig, build_world

    try:
        content = load_content(map_name=args.map)
    except (ContentError, MapError) as e:
        print(f"shotcaller {command}: {e}", file=sys.stderr)
        return None
    return build_world(content, SimConfig(map_name=args.map), Params())


def _run_app(command: str, session: Any, args: argparse.Namespace, speed: str = "1") -> int:
    from shotcaller.ui.tui.app import ShotcallerApp

    app = ShotcallerApp(session, speed=0 if speed == "max" else float(speed), replay_path=getattr(args, "replay", None))
    try:
        result = app.run()
    finally:
        session.close()
    if app.saved_replay is not None:
        print(f"replay written to {app.saved_replay}")
    if result:
        w = result.get("winner", "running")
        at = session.clock(int(result.get("ticks", 0)))
        what = {"running": f"stopped at {at} (unfinished)", "draw": f"draw at {at}"}.get(
            w, f"{w} wins ({result.get('end_reason')}) at {at}"
        )
        print(f"shotcaller {command}: {what}")
    return 0


def _random_seed(seed: int | None) -> int:
    import secrets

    return secrets.randbelow(2**31) if seed is None else int(seed)


def command_play(args: argparse.Namespace) -> int:
    from shotcaller.ui.tui.session import PlaySession

    problem = _terminal_problem()
    if problem:
        print(f"shotcaller play: {problem}", file=sys.stderr)
        return 2
    try:
        (opponent,) = _coaches("play", [args.vs], args.allow_unsandboxed)
    except ValueError as e:
        print(f"shotcaller play: {e}", file=sys.stderr)
        return 2
    world = _live_world("play", args)
    if world is None:
        opponent.close()
        return 2
    team = 0 if args.side == "blue" else 1
    session = PlaySession(world, opponent, _random_seed(args.seed), team, fog=not args.no_fog, log_dir=args.bot_logs)
    return _run_app("play", session, args, args.speed)


def command_watch(args: argparse.Namespace) -> int:
    from shotcaller.ui.tui.session import LiveSession

    problem = _terminal_problem()
    if problem:
        print(f"shotcaller watch: {problem}", file=sys.stderr)
        return 2
    try:
        blue, red = _coaches("watch", [args.blue, args.red], args.allow_unsandboxed)
    except ValueError as e:
        print(f"shotcaller watch: {e}", file=sys.stderr)
        return 2
    world = _live_world("watch", args)
    if world is None:
        blue.close()
        red.close()
        return 2
    viewer = {"blue": 0, "red": 1, "none": None}[args.fog]
    session = LiveSession(world, blue, red, _random_seed(args.seed), viewer=viewer, log_dir=args.bot_logs)
    return _run_app("watch", session, args, args.speed)


def _replay_tui(args: argparse.Namespace) -> int:
    from shotcaller.arena.replay import ReplayError, load_replay
    from shotcaller.ui.tui.session import ReplaySession

    problem = _terminal_problem()
    if problem:
        print(f"shotcaller replay show --tui: {problem}", file=sys.stderr)
        return 2
    try:
        session = ReplaySession(load_replay(args.path), viewer={"blue": 0, "red": 1, "none": None}[args.fog])
    except ReplayError as e:
        print(f"shotcaller replay show: {e}", file=sys.stderr)
        return 2
    args.replay = None
    return _run_app("replay show", session, args)


def command_serve(args: argparse.Namespace) -> int:
    try:
        from shotcaller.ui.web.server import serve
    except ImportError as e:
        print(f'shotcaller serve: needs the web extra: pip install "shotcaller[web]" ({e})', file=sys.stderr)
        return 2
    for spec in args.allow_bot:
        trusted = spec.split(":", 1)[0] in ("sandbox", "exec") or ":" not in spec
        if not trusted:
            print(
                f"shotcaller serve: --allow-bot {spec}: code from a file or module runs inside the server; "
                "allow it as sandbox:" + spec + " instead",
                file=sys.stderr,
            )
            return 2
    from shotcaller.arena.results import ResultsStoreError
    from shotcaller.ui.web.store import WebStore

    try:
        WebStore(args.db).close()  # a bad --db is named before the server starts
        serve(args.host, args.port, args.db, args.allow_bot, args.spectator_delay, args.max_matches)
    except ResultsStoreError as e:
        print(f"shotcaller serve: {e}", file=sys.stderr)
        return 2
    return 0


def command_dataset_export(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from shotcaller.arena.dataset import DatasetError, export_dataset, save_dataset

    console = _stderr_console()
    bar = Progress(
        TextColumn("replays"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console, transient=True
    )
    task = bar.add_task("replays", total=len(args.replays))
    if console.is_terminal:
        bar.start()
    try:
        data = export_dataset(
            args.replays,
            team=args.team,
            decide_every_s=args.decide_every,
            planes=not args.no_planes,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    except DatasetError as e:
        print(f"shotcaller dataset export: {e}", file=sys.stderr)
        return 2
    finally:
        bar.stop()
    try:
        save_dataset(data, args.out)
    except OSError as e:
        print(f"shotcaller dataset export: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    meta = data["meta"]
    n = int(data["tick"].shape[0])
    print(
        f"wrote {args.out}: {n} decisions ({int(data['exact'].sum())} exact) of {len(meta['episodes'])} episodes "
        f"from {len(meta['replays'])} replays"
    )
    for fate, by_kind in meta["mapping"].items():
        if by_kind:
            kinds = ", ".join(f"{k} {v}" for k, v in by_kind.items())
            print(f"  orders {fate}: {sum(by_kind.values())} ({kinds})")
    for err in meta["errors"]:
        print(f"shotcaller dataset export: skipped {err['error']}", file=sys.stderr)
    return 1 if meta["errors"] else 0


def command_bench(args: argparse.Namespace) -> int:
    from shotcaller.arena.bench import bench, bench_env
    from shotcaller.content import ContentError, MapError

    if args.env is not None:
        out = bench_env(args.env, args.batch or [1, 64], seconds=args.seconds, threads=args.threads)
        if args.json:
            print(json.dumps(out))
            return 0
        what = "coach decisions/s" if args.env == "coach" else "agent steps/s (leaders x ticks)"
        for r in out["results"]:
            print(
                f"batch {r['batch']:>4}: {r['agent_steps_per_second']:>10,.0f} {what} "
                f"({r['cpu_decisions_per_second']:,.0f} per CPU second; {r['ticks_per_second']:,.0f} game ticks/s; "
                f"{r['decisions']:,} decisions in {r['seconds']:.1f} s, {r['matches_finished']} matches finished)"
            )
        print(f"peak RSS: {out['rss_mb']:.0f} MB ({args.env} vector env, observations, masks and rewards included)")
        return 0
    try:
        out = bench(args.batch or [1, 64], seconds=args.seconds, map_name=args.map, threads=args.threads)
    except (ContentError, MapError) as e:
        print(f"shotcaller bench: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out))
        return 0
    for r in out["results"]:
        print(
            f"batch {r['batch']:>4}: {r['ticks_per_second']:>12,.0f} game ticks/s "
            f"({r['cpu_ticks_per_second']:,.0f} per CPU second; "
            f"{r['ticks']:,} ticks in {r['seconds']:.1f} s, {r['matches_finished']} matches finished)"
        )
    print(f"one 15-minute match (18,000 ticks, batch 1): {out['match_18000_ticks_seconds']:.3f} s")
    where = "one thread" if out["threads"] == 1 else f"{out['threads']} threads over the games"
    print(f"peak RSS: {out['rss_mb']:.0f} MB (one process, {where}; {out['backend']} kernels)")
    return 0


def command_tournament(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from shotcaller.arena.tournament import (
        RAY_INSTALL_HINT,
        BackendUnavailable,
        BotSpecError,
        Game,
        ResultsStoreError,
        run_tournament,
    )

    def usage(msg: str) -> int:
        print(f"shotcaller tournament: {msg}", file=sys.stderr)
        return 2

    if len(args.bots) < 2:
        return usage("name at least two different bots")
    if args.ray_address is not None and args.backend != "ray":
        return usage("--ray-address needs --backend ray")
    if args.backend == "ray":
        import importlib.util

        try:
            missing = importlib.util.find_spec("ray") is None
        except (ImportError, ValueError):
            missing = True
        if missing:  # (Ray itself is imported by the backend, which reports a broken install the same way)
            return usage(f"--backend ray needs Ray, which is not installed; install it with: {RAY_INSTALL_HINT}")
    failures: list[tuple[Game, str]] = []
    live = 20  # failures printed as they happen; the rest only in the summary

    def on_error(game: Game, why: str) -> None:
        failures.append((game, why))
        if len(failures) <= live:
            bar.console.print(f"game {game.blue} vs {game.red} seed {game.seed} failed: {why}", markup=False)

    def on_warning(msg: str) -> None:
        print(f"shotcaller tournament: warning: {msg}", file=sys.stderr)

    cols = (TextColumn("games"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    bar = Progress(*cols, transient=False, console=_stderr_console())
    task = bar.add_task("games", total=None)

    def progress(done: int, total: int) -> None:
        if not bar.live.is_started:  # started once the bots are checked, so their warnings come first
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        played = run_tournament(
            args.bots,
            args.games,
            args.db,
            workers=args.workers,
            replay_dir=args.replays,
            progress=progress,
            backend=args.backend,
            ray_address=args.ray_address,
            schedule_kind=args.schedule,
            on_error=on_error,
            on_warning=on_warning,
            verify=args.verify,
            sandbox=args.sandbox,
            allow_unsandboxed=args.allow_unsandboxed,
            budget_ms=args.budget_ms,
            bank_ms=args.bank_ms,
            equal_budgets=not args.unequal_budgets,
            bot_logs=args.bot_logs,
        )
    except (BotSpecError, ResultsStoreError, BackendUnavailable, ValueError) as e:
        return usage(str(e))
    except KeyboardInterrupt:
        print(f"shotcaller tournament: interrupted; the same command resumes it ({args.db})", file=sys.stderr)
        return 130
    finally:
        if bar.live.is_started:
            bar.stop()
    print(f"played {played} games; results in {args.db} (shotcaller report --db {args.db})")
    if failures:
        print(
            f"{len(failures)} games failed and were not stored (the next run retries them):",
            file=sys.stderr,
        )
        for game, why in failures[:live]:
            print(f"  {game.blue} vs {game.red} seed {game.seed}: {why}", file=sys.stderr)
        if len(failures) > live:
            print(f"  ... and {len(failures) - live} more", file=sys.stderr)
        return 1
    return 0


def command_evaluate(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from shotcaller.arena.evaluate import EvaluationError, run_evaluation
    from shotcaller.arena.workers import Game
    from shotcaller.sim import Params

    failures: list[tuple[Game, str]] = []
    console = _stderr_console()
    bar = Progress(
        TextColumn("games"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console, transient=True
    )
    task = bar.add_task("games", total=None)
    show = console.is_terminal

    def progress(done: int, total: int) -> None:
        if show and not bar.live.is_started:  # started once the bots are checked, so their warnings come first
            bar.start()
        bar.update(task, completed=done, total=total)

    def on_error(game: Game, why: str) -> None:
        failures.append((game, why))

    def on_warning(msg: str) -> None:
        print(f"shotcaller evaluate: warning: {msg}", file=sys.stderr)

    try:
        cells = run_evaluation(
            args.bot,
            args.vs,
            seeds=args.seeds,
            maps=args.maps,
            games=args.games,
            workers=args.workers,
            params=Params(time_limit_s=args.time_limit) if args.time_limit is not None else None,
            allow_unsandboxed=args.allow_unsandboxed,
            budget_ms=args.budget_ms,
            bank_ms=args.bank_ms,
            bot_logs=args.bot_logs,
            progress=progress,
            on_warning=on_warning,
            on_error=on_error,
        )
    except EvaluationError as e:
        print(f"shotcaller evaluate: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("shotcaller evaluate: interrupted; nothing is stored", file=sys.stderr)
        return 130
    finally:
        if bar.live.is_started:
            bar.stop()
    if args.json:
        for c in cells:
            print(json.dumps(c.to_dict()))
    else:
        _print_tables([_evaluation_table(cells)])
    if failures:
        print(f"shotcaller evaluate: {len(failures)} games failed and are not counted:", file=sys.stderr)
        for game, why in failures[:20]:
            print(f"  {game.blue} vs {game.red} seed {game.seed} on {game.map_name}: {why}", file=sys.stderr)
        if len(failures) > 20:
            print(f"  ... and {len(failures) - 20} more", file=sys.stderr)
        return 1
    return 0


def _evaluation_table(cells: list[Any]) -> Any:
    from rich.table import Table

    first = cells[0]
    t = Table(title=f"{first.bot}, {first.seeds} seeds", caption="a draw counts half a win")
    for col in ("opponent", "map", "games", "wins", "draws", "losses", "win rate", "95% CI"):
        t.add_column(col, justify="left" if col in ("opponent", "map") else "right")
    for c in cells:
        lo, hi = c.ci95
        t.add_row(
            c.opponent,
            c.map,
            str(c.games),
            str(c.wins),
            str(c.draws),
            str(c.losses),
            f"{c.win_rate:.0%}" if c.games else "-",
            f"{lo:.0%}-{hi:.0%}" if c.games else "-",
        )
    return t


def _print_tables(parts: list[Any]) -> None:
    """Rich renderables on stdout: as the terminal draws them, or piped, as plain text as wide as the
    tables need (never folded)."""
    from rich.console import Console

    if sys.stdout.isatty():
        console = Console()
        for part in parts:
            console.print(part)
        return
    import io

    buf = io.StringIO()
    console = Console(file=buf, width=100_000)
    for part in parts:
        console.print(part)
    sys.stdout.write("\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n")


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


def command_report(args: argparse.Namespace) -> int:
    from shotcaller.arena.ratings import report_tables, write_plots
    from shotcaller.arena.results import ResultsStoreError, load_results

    try:
        res = load_results(args.db, all_versions=args.all_versions)
    except ResultsStoreError as e:
        print(f"shotcaller report: {e}", file=sys.stderr)
        return 2
    if not res.games and not res.void:
        print(f"shotcaller report: {args.db} holds no games yet", file=sys.stderr)
        return 2
    _print_tables(report_tables(res))  # piped: a closed pipe ends quietly in main()
    if args.plots and res.games:
        for path in write_plots(args.db, args.plots, all_versions=args.all_versions):
            print(f"wrote {path}")
    return 0


def command_compile(args: argparse.Namespace) -> int:
    import time

    from shotcaller.sim.aot import build

    t = time.perf_counter()
    try:
        path = build()
    except Exception as e:  # a missing C compiler or a Numba limitation must not crash the CLI
        print(
            f"shotcaller compile: could not build the ahead-of-time kernels ({type(e).__name__}: {e}); "
            f"the JIT keeps working",
            file=sys.stderr,
        )
        return 1
    print(f"built {path} in {time.perf_counter() - t:.1f} s")
    return 0


def _budgets(args: argparse.Namespace, coaches: tuple[Any, Any]) -> tuple[Any, Any] | None:
    """The (blue, red) TimeBudgets the command line asks for, or None (each coach's own)."""
    import dataclasses

    from shotcaller.bots.base import TimeBudget, declared_budget

    given = {k: v for k, v in (("budget_ms", args.budget_ms), ("bank_ms", args.bank_ms)) if v is not None}
    if not given:
        return None
    blue, red = (dataclasses.replace(declared_budget(c) or TimeBudget(), **given) for c in coaches)
    return (blue, red)


def command_train(args: argparse.Namespace) -> int:
    try:
        import torch  # noqa: F401
    except ImportError:
        print(
            "shotcaller train: needs torch; install the extra: pip install 'shotcaller[train]' (CPU torch 2.13.0)",
            file=sys.stderr,
        )
        return 2
    for path, flag in [*((p, "--bc") for p in args.bc or ()), (args.resume, "--resume")]:
        if path is not None and not Path(path).is_file():
            print(f"shotcaller train: {flag} {path}: no such file", file=sys.stderr)
            return 2
    if args.bc and args.teacher:
        print("shotcaller train: give --bc or --teacher, not both", file=sys.stderr)
        return 2
    from shotcaller.bots import BotLoadError, make_coach

    for spec in [*args.vs, *([args.teacher] if args.teacher else [])]:
        try:
            make_coach(spec).close()
        except (BotLoadError, ValueError) as e:
            print(f"shotcaller train: {e}", file=sys.stderr)
            return 2
    from shotcaller.train.ppo import TrainConfig, train

    cfg = TrainConfig(
        out=args.out,
        opponents=list(args.vs),
        minutes=args.minutes,
        max_decisions=args.max_decisions,
        num_envs=args.envs,
        num_steps=args.steps,
        learning_rate=args.lr,
        ent_coef=args.ent_coef,
        gamma=args.gamma,
        seed=args.seed,
        hidden=list(args.hidden),
        teacher=args.teacher,
        teacher_decisions=args.teacher_decisions,
        bc=list(args.bc) if args.bc else None,
        bc_epochs=args.bc_epochs,
        resume=args.resume,
        draft=args.draft,
        backend=args.backend,
        workers=args.workers,
        ray_address=args.ray_address,
        torch_threads=args.torch_threads,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    if args.bc:
        from shotcaller.train.ppo import BCDataError, load_bc_files

        try:
            load_bc_files(list(args.bc))  # every file readable, of this action space, consistent together
        except BCDataError as e:
            print(f"shotcaller train: --bc {e}", file=sys.stderr)
            return 2
    log = _stderr_console().print
    try:
        stats = train(cfg, log=lambda m: log(m, markup=False, highlight=False))
    except KeyboardInterrupt:
        print(f"shotcaller train: interrupted; the last checkpoint is in {args.out}", file=sys.stderr)
        return 130
    except ValueError as e:  # a checkpoint of another network, data with no usable sample
        print(f"shotcaller train: {e}", file=sys.stderr)
        return 2
    draft = stats.get("draft")
    if draft:  # the drafter in brief: each leader's fitted strength (the whole table is in policy.npz)
        t = draft["table"]
        brief = {k: v for k, v in draft.items() if k != "table"}
        stats = {**stats, "draft": {**brief, "strength": dict(zip(t["leaders"], t["strength"], strict=True))}}
    print(json.dumps({"out": args.out, "policy": f"ckpt:{args.out}/policy.npz", **stats}, default=str))
    return 0
