"""Help and docs match the code: every command and flag of the CLI is in the README."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from shotcaller.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, argparse.ArgumentParser]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append((f"{prefix}{name}", sub))
                out += _commands(sub, f"{prefix}{name} ")
    return out


COMMANDS = _commands(build_parser())


@pytest.mark.parametrize("name,parser", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_flag_is_in_the_readme(name, parser):
    readme = (ROOT / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith(f"| `shotcaller {name}")]
    if any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
        return  # a group (`replay`): its subcommands have the rows
    assert rows, f"README's command table has no row for `shotcaller {name}`"
    flags = [s for a in parser._actions for s in a.option_strings if s.startswith("--") and s != "--help"]
    missing = [f for f in flags if not any(f in row for row in rows)]
    assert not missing, f"`shotcaller {name}`: README's row does not mention {missing}"


def test_match_help_lists_every_builtin_bot_and_spec_form(capsys):
    from shotcaller.bots import BUILTIN

    with pytest.raises(SystemExit):
        build_parser().parse_args(["match", "--help"])
    text = capsys.readouterr().out
    for name in BUILTIN:
        assert name in text
    for form in ("FILE.py:Class", "module:Class", "sandbox:", "exec:", "plan:NAME", "entry-point"):
        assert form in text


def test_every_document_cited_is_in_the_repository():
    """Docstrings and docs cite documents by path (``docs/design.md``, ``examples/first_bot.py``): each
    one exists, so the rulebook stands on its own (no citation of a design file kept elsewhere)."""
    import re

    root = Path(__file__).resolve().parent.parent
    cited: dict[str, set[str]] = {}
    files = [*root.glob("shotcaller/**/*.py"), *root.glob("docs/*.md"), root / "README.md"]
    for f in files:
        for m in re.finditer(r"(?<![\w/.-])((?:docs|examples|benchmarks)/[\w./-]+\.(?:md|py|sh))", f.read_text()):
            cited.setdefault(m.group(1), set()).add(str(f.relative_to(root)))
        assert "DESIGN.md" not in f.read_text(), f"{f.relative_to(root)} cites DESIGN.md (the rulebook: docs/design.md)"
    assert len(cited) > 10
    missing = {c: sorted(where) for c, where in cited.items() if not (root / c).exists()}
    assert missing == {}


def test_the_phase_profiler_times_every_phase_of_the_tick():
    """``benchmarks/profile_phases.py`` is a copy of ``sim.kernels.tick`` with timers: it calls every
    phase the tick calls, so its figures describe the game that is played (it once missed the buildings
    phase added by issue 9, and so profiled a game whose buildings never saw a threat)."""
    import inspect
    import re

    from shotcaller.sim import kernels

    root = Path(__file__).resolve().parent.parent
    phases = re.findall(r"^\s+(\w+)\(S, T, b", inspect.getsource(kernels.tick), re.M)
    assert len(phases) >= 15
    timed = (root / "benchmarks" / "profile_phases.py").read_text()
    timed = timed[timed.index("def timed(") :]
    missing = [p for p in phases if not re.search(rf"^\s+{p}\(S, T, b", timed, re.M)]
    assert missing == []


def test_the_ab_timer_names_a_directory_that_is_not_a_source_tree(tmp_path):
    """``benchmarks/ab_ticks.py`` refuses, in one line, a directory without the engine in it."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    r = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "ab_ticks.py"), str(tmp_path), str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert f"{tmp_path} is not a source tree" in r.stderr
