"""The command line: ``communitygov`` (also ``python -m communitygov``).

Errors are one readable line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from communitygov.errors import CommunityGovError
from communitygov.matters.presets import PROCEDURES

__all__ = ["main"]


def _demo(arguments: argparse.Namespace) -> int:
    from communitygov.demo import run

    run(sys.stdout)
    return 0


def _diagram(arguments: argparse.Namespace) -> int:
    procedure = PROCEDURES[arguments.procedure]
    print(procedure.mermaid())
    return 0


def _events(arguments: argparse.Namespace) -> int:
    from communitygov.catalogue import events_markdown

    print(events_markdown(), end="")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="communitygov",
        description="Community-governance workflows: 一征三议两公开 and more.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="tell the Sanwan story: a matter decided by 一征三议两公开"
    )
    demo.set_defaults(handler=_demo)
    diagram = commands.add_parser("diagram", help="print a procedure as a Mermaid diagram")
    diagram.add_argument(
        "--procedure",
        choices=sorted(PROCEDURES),
        default="yizheng-sanyi-liang-gongkai",
        help="which shipped procedure (default: %(default)s)",
    )
    diagram.set_defaults(handler=_diagram)
    events = commands.add_parser("events", help="print the catalogue of event types (Markdown)")
    events.set_defaults(handler=_events)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = _parser().parse_args(argv)
    try:
        status: int = arguments.handler(arguments)
    except CommunityGovError as error:
        print(f"communitygov: {error}", file=sys.stderr)
        return 1
    return status
