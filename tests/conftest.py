"""Shared fixtures. The controller process compiles the kernels once so xdist workers load the cache."""

from __future__ import annotations

import pytest

from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    from shotcaller.sim import new_state, step_inplace

    w = build_world(load_content())
    step_inplace(new_state(w, 0), None, 2)


@pytest.fixture(scope="session")
def content():
    return load_content()


@pytest.fixture(scope="session")
def world(content):
    """Default rules (latency 2 s, APM 30)."""
    return build_world(content)


@pytest.fixture(scope="session")
def fast_world(content):
    """No latency, no APM cap, micro orders on: for rule scenarios."""
    return build_world(content, SimConfig(), Params(latency_s=0, apm=0, micro=True))
