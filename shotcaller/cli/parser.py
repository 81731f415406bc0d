"""The ``shotcaller`` argument parser: every command, flag and default, and the argument types."""

from __future__ import annotations

import argparse
from typing import Any

from shotcaller.arena.seeds import SEED_SETS
from shotcaller.argtypes import non_negative_int, positive_int
from shotcaller.cli.commands import (
    command_bench,
    command_compile,
    command_dataset_export,
    command_evaluate,
    command_match,
    command_play,
    command_replay_show,
    command_replay_verify,
    command_report,
    command_serve,
    command_tournament,
    command_train,
    command_watch,
)


def _number(what: str, minimum: float, inclusive: bool, maximum: float = 1e7) -> Any:
    """An argument type: a number (``what`` names it in errors) above ``minimum``, at most ``maximum``."""

    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number for the {what}, got {s!r}") from None
        if v != v or (v < minimum if inclusive else v <= minimum) or v > maximum:
            bound = f">= {minimum:g}" if inclusive else f"> {minimum:g}"
            raise argparse.ArgumentTypeError(f"the {what} must be {bound} and <= {maximum:g}, got {s}")
        return v

    return parse


def _quantity(unit: str, minimum: float, inclusive: bool) -> Any:
    """An argument type: a number of ``unit`` (seconds, milliseconds) above ``minimum``."""

    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number of {unit}, got {s!r}") from None
        if v != v or (v < minimum if inclusive else v <= minimum) or v > 1e7:
            bound = f">= {minimum:g}" if inclusive else f"> {minimum:g}"
            raise argparse.ArgumentTypeError(f"expected {unit} {bound}, got {s}")
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


REPLAY_PATH = "a replay file (.json or .json.gz), as written by match --replay or tournament --replays"

BOT_SPECS = f"""\
BOT is one of:
  a built-in bot      {", ".join(sorted(__import__("shotcaller.bots.builtin", fromlist=["BUILTIN"]).BUILTIN))}
  FILE.py:Class       a Python class in a file (trusted code: it runs inside this process)
  module:Class        a Python class in an importable module
  sandbox:FILE.py:Class, sandbox:module:Class
                      the same class run in a sandboxed child process (for code you do not trust)
  exec:COMMAND ARGS   a program in any language speaking JSON lines (docs/bot_protocol.md), sandboxed
  plan:NAME           a fixed plan of the strategy sweep (shotcaller/bots/plans.py, docs/balance.md)
  ckpt:PATH           a policy trained by `shotcaller train` (OUT/policy.npz; numpy only), add ?sample
                      to sample its choices instead of taking the likeliest (docs/training.md)
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
        type=_quantity("milliseconds", 0, True),
        default=None,
        metavar="MS",
        help="thinking time per decision for every bot, in ms (default: what the bot declares, else 100)",
    )
    p.add_argument(
        "--bank-ms",
        type=_quantity("milliseconds", 0, True),
        default=None,
        metavar="MS",
        help="extra time a bot may draw on over the whole match, in ms (default: declared, else 1000)",
    )


def _live_args(p: argparse.ArgumentParser) -> None:
    """Options shared by ``play`` and ``watch``."""
    p.add_argument("--seed", type=_seed, default=None, help="match seed (default: a random one)")
    p.add_argument(
        "--map",
        default="map.txt",
        help="map file or variant (original, mirrored, 2x, 4x, perturbed-N; docs/evaluation.md)",
    )
    p.add_argument(
        "--speed",
        choices=["1", "2", "4", "8", "max"],
        default="1",
        help="game seconds per second at the start (+ and - change it; max: as fast as the machine goes)",
    )
    p.add_argument("--replay", metavar="PATH", help="save the replay there when the match ends")
    p.add_argument(
        "--allow-unsandboxed",
        action="store_true",
        help="run sandbox: bots even where no sandbox is available (they then have this host's rights)",
    )
    p.add_argument("--bot-logs", metavar="DIR", default=None, help="where exec:/sandbox: bots' stderr logs go")


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
    m.add_argument(
        "--map",
        default="map.txt",
        help="map file (map.txt, map_2x.txt, map_4x.txt or a path) or map variant (original, mirrored, 2x, 4x, "
        "perturbed-N; docs/evaluation.md)",
    )
    m.add_argument(
        "--latency",
        type=_quantity("seconds", 0, True),
        default=None,
        help="order latency in seconds (default: the content's, 2)",
    )
    m.add_argument(
        "--apm", type=non_negative_int, default=None, help="orders per minute per team, 0 = unlimited (default 30)"
    )
    m.add_argument(
        "--time-limit",
        type=_quantity("seconds", 0, False),
        default=None,
        help="time limit in game seconds (default 1800)",
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
    m.set_defaults(func=command_match)

    pl = sub.add_parser(
        "play",
        help="coach a team in the terminal against a bot: draft, then the match (docs/play.md)",
        description="Coach a team in the terminal against a bot: the draft in the rules' pick order, then the\n"
        "match on a map with fog of war, leader panel, event feed and orders by keys and mouse (? shows the\n"
        "keys). Needs a terminal of at least 80x24. Your orders take the same path, latency and APM budget\n"
        "as any bot's, and the match replays and verifies like any other (docs/play.md).\n\n" + BOT_SPECS,
        formatter_class=_Formatter,
    )
    pl.add_argument("--vs", default="strategist", metavar="BOT", help="the opponent (see BOT above)")
    pl.add_argument("--side", choices=["blue", "red"], default="blue", help="the side you coach")
    _live_args(pl)
    pl.add_argument("--no-fog", action="store_true", help="see the whole map (no fog of war)")
    pl.set_defaults(func=command_play)

    wa = sub.add_parser(
        "watch",
        help="spectate two bots live in the terminal game's screen (docs/play.md)",
        description="Spectate two bots live on the terminal game's screen, with the reasons their orders\n"
        "carry in the event feed (docs/play.md).\n\n" + BOT_SPECS,
        formatter_class=_Formatter,
    )
    wa.add_argument("blue", metavar="BLUE", help="the blue bot (see BOT above)")
    wa.add_argument("red", metavar="RED", help="the red bot")
    wa.add_argument(
        "--fog", choices=["blue", "red", "none"], default="none", help="whose fog of war to draw (none: full vision)"
    )
    _live_args(wa)
    wa.set_defaults(func=command_watch)

    sv = sub.add_parser(
        "serve",
        help="the web game: a lobby, matches against bots or people in the browser, spectators, replays (docs/web.md)",
        description="Serve the web game: one process, many matches. Open http://HOST:PORT/ for the lobby;\n"
        'the lobby\'s JSON API is documented at http://HOST:PORT/docs. Needs `pip install "shotcaller[web]"`.\n'
        "Matches are stored in --db (the tournament store's file) and come back after a restart.",
        formatter_class=_Formatter,
    )
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (other machines: 0.0.0.0)")
    sv.add_argument("--port", type=positive_int, default=8000, help="port to listen on")
    sv.add_argument("--db", default="tournament.sqlite", metavar="PATH", help="the SQLite store of matches")
    sv.add_argument(
        "--allow-bot",
        action="append",
        default=[],
        metavar="SPEC",
        help="also allow this bot in the lobby (repeatable; built-ins are always allowed; code you do not "
        "trust only as sandbox:... or exec:...)",
    )
    sv.add_argument(
        "--spectator-delay",
        type=_quantity("seconds", 0, True),
        default=5.0,
        metavar="S",
        help="spectators see matches this many seconds late",
    )
    sv.add_argument("--max-matches", type=positive_int, default=64, help="live matches the server runs at most")
    sv.set_defaults(func=command_serve)

    r = sub.add_parser("replay", help="replay tools")
    rs = r.add_subparsers(dest="replay_command", required=True)
    rv = rs.add_parser("verify", help="re-simulate a replay and check every checksum")
    rv.add_argument("path", help=REPLAY_PATH)
    rv.set_defaults(func=command_replay_verify)
    rsh = rs.add_parser(
        "show",
        help="re-simulate a replay and print the match as a timeline: draft, orders with their reasons "
        "and answers, kills, fights, buildings, teleports, purchases, the end",
    )
    rsh.add_argument("path", help=REPLAY_PATH)
    rsh.add_argument("--json", action="store_true", help="print the entries as one JSON list of objects")
    rsh.add_argument("--only", metavar="TYPES", help="only these entry types, comma-separated (e.g. order,fight)")
    rsh.add_argument("--skip", metavar="TYPES", help="leave out these entry types (e.g. purchase)")
    rsh.add_argument(
        "--side",
        choices=["blue", "red"],
        help="only this side's orders, purchases, teleports and faults (the rest stay)",
    )
    rsh.add_argument("--limit", type=positive_int, metavar="N", help="print at most N entries")
    rsh.add_argument(
        "--tui",
        action="store_true",
        help="open the replay in the terminal game's screen instead: pause (space), speed (+/-), seek 10 s "
        "([ and ]), next event (n), jump to a time (j); docs/play.md",
    )
    rsh.add_argument(
        "--fog",
        choices=["blue", "red", "none"],
        default="none",
        help="with --tui: whose fog of war to draw (none: full vision)",
    )
    rsh.set_defaults(func=command_replay_show)

    ds = sub.add_parser("dataset", help="datasets for learning agents")
    dss = ds.add_subparsers(dest="dataset_command", required=True)
    dx = dss.add_parser(
        "export",
        help="re-simulate replays into a behaviour-cloning dataset of the coach env (.npz)",
        description="Re-simulate replays and write, at every decision point of the chosen team(s), the coach env's\n"
        "(Shotcaller-v1) observation, action mask, the action the recorded orders correspond to, and the reward\n"
        "with each term, into one compressed .npz (docs/envs.md, 'Behaviour cloning from replays').",
        formatter_class=_Formatter,
    )
    dx.add_argument("replays", nargs="+", metavar="REPLAY", help=REPLAY_PATH)
    dx.add_argument("--out", required=True, metavar="FILE.npz", help="the dataset file to write")
    dx.add_argument(
        "--team", choices=["blue", "red", "both"], default="both", help="whose decisions to record (default both)"
    )
    dx.add_argument(
        "--decide-every",
        type=_quantity("seconds", 0, False),
        default=2.0,
        metavar="S",
        help="game seconds between decisions, the coach env's decide_every_s (default 2.0 = 40 ticks)",
    )
    dx.add_argument("--no-planes", action="store_true", help="leave out the planes observation (the largest part)")
    dx.set_defaults(func=command_dataset_export)

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
        "--games", type=positive_int, default=10, help="seeds per pair, each played on both sides (default 10)"
    )
    t.add_argument(
        "--db", default="tournament.sqlite", help="results database, created on first use (default tournament.sqlite)"
    )
    t.add_argument(
        "--workers",
        type=positive_int,
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
    t.set_defaults(func=command_tournament)

    e = sub.add_parser(
        "evaluate",
        help="win rates of a bot against opponents on named maps and held-out seeds, with 95% intervals",
        description="Play BOT against each opponent on each map, --games games each (the seed set's first seeds,\n"
        "each on both sides), and print the win rates with 95% Wilson intervals; a draw counts half a win\n"
        "and is also reported on its own (docs/evaluation.md). Nothing is stored.\n\n"
        "Maps: original, mirrored (blue starts at the top), 2x, 4x, perturbed-N (bent lanes, N >= 0), or all\n"
        "(original mirrored 2x 4x perturbed-1 perturbed-2). Seed sets: "
        + "; ".join(f"{s.name} ({s.start:,} on: {s.purpose})" for s in SEED_SETS.values())
        + ".\n\n"
        + BOT_SPECS,
        formatter_class=_Formatter,
    )
    e.add_argument("bot", metavar="BOT", help="the bot to evaluate (see BOT above)")
    e.add_argument("--vs", nargs="+", required=True, metavar="BOT", help="its opponents (see BOT above)")
    e.add_argument("--seeds", choices=list(SEED_SETS), default="heldout", help="seed set (default heldout)")
    e.add_argument(
        "--maps", nargs="+", default=["original"], metavar="MAP", help="map variants, or all (default original)"
    )
    e.add_argument("--games", type=positive_int, default=20, help="games per opponent and map (default 20)")
    e.add_argument("--json", action="store_true", help="print one JSON object per opponent and map, a line each")
    e.add_argument(
        "--workers", type=positive_int, default=1, help="parallel worker processes (default 1, in this process)"
    )
    e.add_argument(
        "--time-limit",
        type=_quantity("seconds", 0, False),
        default=None,
        help="time limit of every game in game seconds (default 1800)",
    )
    _budget_args(e)
    e.add_argument(
        "--allow-unsandboxed",
        action="store_true",
        help="run sandbox: bots even when no sandbox is available here (they get every right of this user)",
    )
    e.add_argument(
        "--bot-logs",
        metavar="DIR",
        default=None,
        help="where exec:/sandbox: bots' stderr logs go (default: $SHOTCALLER_STATE_DIR/bot-logs, else "
        "~/.local/state/shotcaller/bot-logs)",
    )
    e.set_defaults(func=command_evaluate)

    tr = sub.add_parser(
        "train",
        help="train a coach policy with PPO (needs the extra: pip install 'shotcaller[train]')",
        description="Train the blue coach of the native vector env (docs/envs.md) with PPO and action masks\n"
        "against the --vs bots (game b plays the b-th in turn), for --minutes of wall-clock time (the\n"
        "warm start included). Optionally clone a teacher bot first (--teacher, recorded live in the\n"
        "agent's seat) or a dataset of `shotcaller dataset export` (--bc). Writes OUT/progress.csv,\n"
        "OUT/learning_curve.png, OUT/ckpt.pt (torch, to --resume) and OUT/policy.npz, which plays as the\n"
        "bot ckpt:OUT/policy.npz in match, tournament and evaluate on numpy alone (docs/training.md).\n"
        "The policy also drafts: a draft model (win log-odds of the two lineups) fitted on the run's own\n"
        "games, which the env drafts at random (--draft random: none).\n\n"
        "New matches take seeds from the train seed set only; evaluate on heldout seeds.",
        formatter_class=_Formatter,
    )
    tr.add_argument("--out", default="runs/coach", metavar="DIR", help="run directory (default runs/coach)")
    tr.add_argument(
        "--vs", nargs="+", default=["pusher", "strategist"], metavar="BOT", help="opponents, taken in turn by the games"
    )
    tr.add_argument(
        "--minutes", type=_quantity("minutes", 0, False), default=60.0, help="wall-clock budget (default 60)"
    )
    tr.add_argument(
        "--max-decisions", type=non_negative_int, default=0, help="stop after this many agent decisions (0: none)"
    )
    tr.add_argument("--envs", type=positive_int, default=64, help="games stepped together (default 64)")
    tr.add_argument("--steps", type=positive_int, default=64, help="decisions per game between updates (default 64)")
    tr.add_argument(
        "--lr", type=_number("learning rate", 0, False, 1.0), default=1e-4, help="PPO learning rate (default 0.0001)"
    )
    tr.add_argument(
        "--ent-coef", type=_number("entropy bonus", 0, True, 1.0), default=0.001, help="entropy bonus (default 0.001)"
    )
    tr.add_argument("--gamma", type=_number("discount", 0, False, 1.0), default=0.995, help="discount per decision")
    tr.add_argument("--seed", type=non_negative_int, default=1, help="seed of the run (default 1)")
    tr.add_argument(
        "--hidden", type=positive_int, nargs="+", default=[256, 256], metavar="N", help="hidden layer sizes"
    )
    tr.add_argument("--teacher", metavar="BOT", default=None, help="clone this bot first (e.g. strategist)")
    tr.add_argument("--teacher-decisions", type=positive_int, default=60_000, help="decisions of the teacher to record")
    tr.add_argument(
        "--bc",
        metavar="DATA.npz",
        nargs="+",
        default=None,
        help="clone datasets first (dataset export files or an earlier run's teacher.npz; several are joined)",
    )
    tr.add_argument("--bc-epochs", type=positive_int, default=20, help="cloning passes over the data")
    tr.add_argument("--resume", metavar="CKPT.pt", default=None, help="continue from a checkpoint's weights")
    tr.add_argument(
        "--draft",
        choices=["learn", "random"],
        default="learn",
        help="learn: fit a drafter on the run's own games (their random lineups and results), which the\n"
        "policy file carries and ckpt: bots draft with; random: none, the policy drafts at random (default learn)",
    )
    tr.add_argument("--backend", choices=["local", "ray"], default="local", help="where the games run")
    tr.add_argument("--workers", type=positive_int, default=2, help="Ray actors for --backend ray (default 2)")
    tr.add_argument("--ray-address", default=None, help="a Ray cluster to join (default: a local Ray instance)")
    tr.add_argument("--torch-threads", type=positive_int, default=1, help="torch CPU threads (default 1)")
    tr.add_argument("--no-progress", action="store_true", help="no progress bar (log lines only)")
    tr.set_defaults(func=command_train)

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
    rp.set_defaults(func=command_report)

    c = sub.add_parser("compile", help="build the ahead-of-time kernels (small, fast-starting processes)")
    c.set_defaults(func=command_compile)

    b = sub.add_parser("bench", help="simulation throughput (game ticks per second)", formatter_class=_Formatter)
    b.add_argument("--batch", type=positive_int, nargs="+", help="batch sizes (default 1 64)")
    b.add_argument(
        "--seconds", type=_quantity("seconds", 0, False), default=5.0, help="seconds per batch size (default 5)"
    )
    b.add_argument("--json", action="store_true", help="print JSON")
    b.add_argument("--map", default="map.txt", help="map file")
    b.add_argument("--threads", type=positive_int, default=1, help="Numba threads over the games (default 1)")
    b.add_argument(
        "--env",
        choices=["coach", "micro"],
        default=None,
        help="measure the vector env instead: agent steps per second with observations, masks and rewards "
        "(coach: a coach's decision; micro: one leader for one tick)",
    )
    b.set_defaults(func=command_bench)
    return p
