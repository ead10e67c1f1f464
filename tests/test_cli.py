"""The command line and the main job."""

from __future__ import annotations

import subprocess
import sys

import pytest

import communitygov as cg
from communitygov.cli import main


def test_demo_takes_a_matter_through_both_publicities(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "[closed" in out
    assert "【决议公开 Notice of resolution】" in out
    assert "【实施结果公开 Notice of result】" in out
    assert "【异议处理结果公示 Ruling on an objection】" in out
    assert "matter.deliberation_held" in out
    assert "周盛" not in out  # the beneficiary is only ever 周某


def test_demo_matter_is_closed_and_replays() -> None:
    import io

    from communitygov.demo import run

    matter, events = run(io.StringIO())
    assert matter.state == cg.MatterState.CLOSED
    assert cg.Matter.replay(events) == matter


def test_diagram_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "--procedure", "siyi-liang-gongkai"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---")
    assert "stateDiagram-v2" in out
    assert "review --> resolve: adopt" in out


def test_events_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events"]) == 0
    assert "`matter.raised`" in capsys.readouterr().out


def test_python_dash_m_runs_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "communitygov", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "demo" in result.stdout
