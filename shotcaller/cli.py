"""Command line: parses and dispatches, nothing else."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _match(args: argparse.Namespace) -> int:
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

    out = []
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for spec in specs:
            coach = make_coach(spec, allow_unsandboxed=allow_unsandboxed)
            preflight = getattr(coach, "preflight", None)
            if callable(preflight):
                preflight()
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


def _replay_verify(args: argparse.Namespace) -> int:
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


def _replay_show(args: argparse.Namespace) -> int:
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


def _bench(args: argparse.Namespace) -> int:
    from shotcaller.arena.bench import bench
    from shotcaller.content import ContentError, MapError

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


def _tournament(args: argparse.Namespace) -> int:
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


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


def _report(args: argparse.Namespace) -> int:
    from rich.console import Console

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
    if sys.stdout.isatty():
        console = Console()
        for part in report_tables(res):
            console.print(part)
    else:  # piped: plain text, as wide as the tables need (never folded); a closed pipe ends quietly in main()
        import io

        console = Console(file=io.StringIO(), width=100_000)
        for part in report_tables(res):
            console.print(part)
        sys.stdout.write("\n".join(line.rstrip() for line in console.file.getvalue().splitlines()) + "\n")
    if args.plots and res.games:
        for path in write_plots(args.db, args.plots, all_versions=args.all_versions):
            print(f"wrote {path}")
    return 0


def _compile(args: argparse.Namespace) -> int:
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


def _positive_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {s!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {s}")
    return v


def _non_negative_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {s}")
    return v


def _seconds(minimum: float, inclusive: bool) -> Any:
    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number of seconds, got {s!r}") from None
        if v != v or (v < minimum if inclusive else v <= minimum) or v > 1e7:
            bound = f">= {minimum:g}" if inclusive else f"> {minimum:g}"
            raise argparse.ArgumentTypeError(f"expected seconds {bound}, got {s}")
        return v

    return parse


def _seed(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {s!r}") from None
    if not -(2**63) <= v < 2**63:
        raise argparse.ArgumentTypeError(f"seed must fit in 64 bits, got {s}")
    return v


BOT_SPECS = f"""\
BOT is one of:
  a built-in bot      {", ".join(sorted(__import__("shotcaller.bots.builtin", fromlist=["BUILTIN"]).BUILTIN))}
  FILE.py:Class       a Python class in a file (trusted code: it runs inside this process)
  module:Class        a Python class in an importable module
  sandbox:FILE.py:Class, sandbox:module:Class
                      the same class run in a sandboxed child process (for code you do not trust)
  exec:COMMAND ARGS   a program in any language speaking JSON lines (docs/bot_protocol.md), sandboxed
  NAME                a bot an installed package registers in the 'shotcaller.bots' entry-point group"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the description's layout and shows every default the help text does not already give."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        shown = action.default is not None and action.default is not False and action.default != argparse.SUPPRESS
        if "default" not in text and shown and action.option_strings:
            text += " (default: %(default)s)"
        return text


def _budget_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--budget-ms",
        type=_seconds(0, True),
        default=None,
        metavar="MS",
        help="thinking time per decision for every bot, in ms (default: what the bot declares, else 100)",
    )
    p.add_argument(
        "--bank-ms",
        type=_seconds(0, True),
        default=None,
        metavar="MS",
        help="extra time a bot may draw on over the whole match, in ms (default: declared, else 1000)",
    )


def _budgets(args: argparse.Namespace, coaches: tuple[Any, Any]) -> tuple[Any, Any] | None:
    """The (blue, red) TimeBudgets the command line asks for, or None (each coach's own)."""
    from shotcaller.bots.base import TimeBudget, declared_budget

    if args.budget_ms is None and args.bank_ms is None:
        return None
    out = []
    for c in coaches:
        base = declared_budget(c) or TimeBudget()
        out.append(
            TimeBudget(
                budget_ms=base.budget_ms if args.budget_ms is None else args.budget_ms,
                bank_ms=base.bank_ms if args.bank_ms is None else args.bank_ms,
                max_faults=base.max_faults,
            )
        )
    return (out[0], out[1])


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``shotcaller`` command."""
    p = argparse.ArgumentParser(prog="shotcaller", description="Shotcaller: coach a 5v5 MOBA team of bots.")
    sub = p.add_subparsers(dest="command", required=True)

    m = sub.add_parser(
        "match",
        help="play one full match headless and print a summary",
        description="Play one full match headless and print a summary.\n\n" + BOT_SPECS,
        formatter_class=_Formatter,
    )
    m.add_argument("--blue", default="none", metavar="BOT", help="blue coach (see BOT above; none = the default plan)")
    m.add_argument("--red", default="none", metavar="BOT", help="red coach")
    m.add_argument("--seed", type=_seed, default=0, help="match seed")
    m.add_argument("--replay", metavar="PATH", help="write the replay to PATH (.json or .json.gz)")
    m.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    m.add_argument("--map", default="map.txt", help="map file: map.txt, map_2x.txt, map_4x.txt or a path")
    m.add_argument(
        "--latency", type=_seconds(0, True), default=None, help="order latency in seconds (default: the content's, 2)"
    )
    m.add_argument(
        "--apm", type=_non_negative_int, default=None, help="orders per minute per team, 0 = unlimited (default 30)"
    )
    m.add_argument(
        "--time-limit", type=_seconds(0, False), default=None, help="time limit in game seconds (default 1800)"
    )
    _budget_args(m)
    m.add_argument(
        "--allow-unsandboxed",
        action="store_true",
        help="run sandbox: bots even where no sandbox is available (they then have this host's rights)",
    )
    m.add_argument(
        "--bot-logs",
        metavar="DIR",
        default=None,
        help="where exec:/sandbox: bots' stderr logs go, 1 MB each at most "
        "(default: $SHOTCALLER_STATE_DIR/bot-logs, else ~/.local/state/shotcaller/bot-logs)",
    )
    m.add_argument(
        "--timeline",
        action="store_true",
        help='after the match, print its timeline as `replay show` does (with --json: a "timeline" list)',
    )
    m.set_defaults(func=_match)

    r = sub.add_parser("replay", help="replay tools")
    rs = r.add_subparsers(dest="replay_command", required=True)
    rv = rs.add_parser("verify", help="re-simulate a replay and check every checksum")
    rv.add_argument("path")
    rv.set_defaults(func=_replay_verify)
    rsh = rs.add_parser(
        "show",
        help="re-simulate a replay and print the match as a timeline: draft, orders with their reasons "
        "and answers, kills, fights, buildings, teleports, purchases, the end",
    )
    rsh.add_argument("path")
    rsh.add_argument("--json", action="store_true", help="print the entries as one JSON list of objects")
    rsh.add_argument("--only", metavar="TYPES", help="only these entry types, comma-separated (e.g. order,fight)")
    rsh.add_argument("--skip", metavar="TYPES", help="leave out these entry types (e.g. purchase)")
    rsh.add_argument(
        "--side",
        choices=["blue", "red"],
        help="only this side's orders, purchases, teleports and faults (the rest stay)",
    )
    rsh.add_argument("--limit", type=_positive_int, metavar="N", help="print at most N entries")
    rsh.set_defaults(func=_replay_show)

    t = sub.add_parser(
        "tournament",
        help="round robin or ladder between bots, resumable, stored in SQLite",
        description="Round robin or ladder between bots (docs/tournaments.md). Each pair plays --games seeds on\n"
        "both sides. An entry is BOT or NAME=BOT; it is stored as a version, name@digest of its code (an edited\n"
        "bot is a new version). A bot that cannot load or start is broken: its games are forfeits.\n\n" + BOT_SPECS,
        formatter_class=_Formatter,
    )
    t.add_argument("bots", nargs="+", metavar="BOT", help="BOT or NAME=BOT (see above); at least two")
    t.add_argument(
        "--games", type=_positive_int, default=10, help="seeds per pair, each played on both sides (default 10)"
    )
    t.add_argument(
        "--db", default="tournament.sqlite", help="results database, created on first use (default tournament.sqlite)"
    )
    t.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="local: parallel worker processes (default 1, in this process); ray: tasks in flight (default 2 per CPU)",
    )
    t.add_argument(
        "--backend",
        choices=["local", "ray"],
        default="local",
        help="where games run: local processes (default) or Ray tasks (pip install 'shotcaller[ray]')",
    )
    t.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="Ray cluster to use (auto, ray://HOST:10001, ...; default: start a local Ray instance)",
    )
    t.add_argument(
        "--schedule",
        choices=["round-robin", "ladder"],
        default="round-robin",
        help="round-robin: every pair; ladder: adjacent bots in the order given (default round-robin)",
    )
    t.add_argument("--replays", metavar="DIR", help="also write every game's replay to DIR")
    t.add_argument(
        "--verify",
        action="store_true",
        help="re-simulate every game from its order log; a game that does not reproduce is void",
    )
    t.add_argument(
        "--sandbox",
        action="store_true",
        help="run every FILE.py:Class / module:Class bot as sandbox: (its own sandboxed process)",
    )
    t.add_argument(
        "--allow-unsandboxed",
        action="store_true",
        help="run sandbox: bots even when no sandbox is available here (they get every right of this user)",
    )
    _budget_args(t)
    t.add_argument(
        "--unequal-budgets",
        action="store_true",
        help="each bot gets its own budget (default: both sides of a pairing get the larger of the two)",
    )
    t.add_argument(
        "--bot-logs",
        metavar="DIR",
        help="where bots' stderr logs go (default: DB_STEM-logs/ next to the database)",
    )
    t.set_defaults(func=_tournament)

    rp = sub.add_parser("report", help="leaderboard (OpenSkill) and head-to-head matrix of a tournament")
    rp.add_argument("--db", default="tournament.sqlite", help="results database (default tournament.sqlite)")
    rp.add_argument(
        "--plots", metavar="DIR", default="report", help="write ratings.png and winrates.png here (default report)"
    )
    rp.add_argument(
        "--all-versions",
        action="store_true",
        help="every version of every bot (name@digest) and their games; default: the latest version of each name",
    )
    rp.set_defaults(func=_report)

    c = sub.add_parser("compile", help="build the ahead-of-time kernels (small, fast-starting processes)")
    c.set_defaults(func=_compile)

    b = sub.add_parser("bench", help="simulation throughput (game ticks per second)")
    b.add_argument("--batch", type=_positive_int, nargs="+", help="batch sizes (default 1 64)")
    b.add_argument("--seconds", type=_seconds(0, False), default=5.0, help="seconds per batch size (default 5)")
    b.add_argument("--json", action="store_true", help="print JSON")
    b.add_argument("--map", default="map.txt", help="map file")
    b.add_argument("--threads", type=_positive_int, default=1, help="Numba threads over the games (default 1)")
    b.set_defaults(func=_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shotcaller`` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # the reader went away (`shotcaller report | head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
