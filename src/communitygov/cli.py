"""The command line: ``communitygov`` (also ``python -m communitygov``).

Commands: ``demo`` tells the Sanwan story into a store; ``notices``, ``show``, ``history``,
``due`` and ``verify`` read a store; ``diagram`` and ``events`` describe the library itself.
Errors are one readable line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import html
import importlib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from communitygov.assistance.plan import AssistancePlan
from communitygov.assistance.template import FOUR_STAGES, PLAN_TEMPLATES
from communitygov.board import notice_board, redactor
from communitygov.demo import COMMUNITY_ID, describe
from communitygov.errors import CommunityGovError, InvalidInput, NotFound, StoreUnavailable
from communitygov.funds.fund import Fund
from communitygov.funds.records import EntryStatus, FundRole
from communitygov.governance import Governance
from communitygov.kernel.calendars import WEEKDAYS
from communitygov.kernel.checks import require_text
from communitygov.kernel.timekeeping import minute_text
from communitygov.kernel.timekeeping import zone as time_zone
from communitygov.matters.matter import Matter
from communitygov.matters.presets import PROCEDURES
from communitygov.matters.procedure import Procedure
from communitygov.matters.records import Objection
from communitygov.organisation.bodies import BodyKind
from communitygov.organisation.community import Community
from communitygov.publicity.notices import Notice, render_html, render_markdown, render_text
from communitygov.storage.urls import open_store, shown_url

__all__ = ["DEFAULT_DB", "DEFAULT_STORE", "main"]


def _user() -> str:
    """Who runs this, as a file-name part: the account of the process's user id (not the
    environment's ``USER``, which ``su`` leaves behind), or the login name where there are
    no user ids."""
    try:
        import pwd

        name = pwd.getpwuid(os.getuid()).pw_name
    except ImportError:  # no user ids (Windows)
        name = getpass.getuser()
    except KeyError:  # a user id with no account
        name = str(os.getuid())
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


DEFAULT_DB = Path(tempfile.gettempdir()) / f"communitygov-demo-{_user()}.db"
"""Where ``demo`` keeps its story unless given ``--store``; the reading commands' default.
One file per user, so that two people on one machine do not overwrite each other's story."""
DEFAULT_STORE = f"sqlite:///{quote(str(DEFAULT_DB))}"
DEFAULT_PROCEDURE = "yizheng-sanyi-liang-gongkai"


class BadArgument(InvalidInput):
    """A command-line argument the parser could not check (a date, say)."""


@contextmanager
def _governance(
    url: str,
    *,
    read_only: bool = True,
    calendar: str = "official",
    procedures: str | None = None,
) -> Iterator[Governance]:
    """The facade on the store ``url`` names, opened read-only unless told otherwise: a
    reading command changes nothing, and an SQLite file that is not there is an error, not a
    new empty store that reads as intact. Its procedures are the shipped ones and those
    ``procedures`` names (:func:`_imported_procedures`), counting on ``calendar``
    (:data:`CALENDARS`)."""
    counted_on = WEEKDAYS if calendar == "weekdays" else None
    known = {p.name: p for p in (*PROCEDURES.values(), *_imported_procedures(procedures))}
    try:
        store = open_store(url, read_only=read_only)
    except StoreUnavailable as exc:
        if read_only and url == DEFAULT_STORE and not DEFAULT_DB.exists():
            raise StoreUnavailable(
                exc.store, f"{exc.detail} (communitygov demo writes the default store)"
            ) from exc
        raise
    try:
        yield Governance(store, procedures=known, calendar=counted_on)
    finally:
        store.close()


def _imported_procedures(name: str | None) -> list[Procedure]:
    """The procedures ``name`` (``module:attribute``, as ``--procedures`` takes it) names: a
    procedure, a mapping of them (by name) or an iterable of them; none for ``None``. The
    module is imported as ``python -m`` would, from the working directory too.

    Raises:
        BadArgument: the module cannot be imported, has no such attribute, or it holds no
            procedures.
    """
    if name is None:
        return []
    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute or module_name.startswith("."):
        raise BadArgument(
            f"--procedures takes module:attribute, such as myapp.rules:PROCEDURES, not {name!r}"
        )
    if os.getcwd() not in sys.path:  # as `python -m` does: the application's own modules
        sys.path.insert(0, os.getcwd())
    try:
        found: object = importlib.import_module(module_name)
    except Exception as exc:  # whatever the module raises while it is imported
        raise BadArgument(
            f"--procedures: cannot import {module_name!r}: {type(exc).__name__}: {exc}"
        ) from exc
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise BadArgument(f"--procedures: {module_name!r} has no {attribute!r}")
        found = getattr(found, part)
    if isinstance(found, Procedure):
        return [found]
    values = found.values() if isinstance(found, Mapping) else found
    if isinstance(values, Iterable) and not isinstance(values, str | bytes):
        procedures = list(values)
        if procedures and all(isinstance(p, Procedure) for p in procedures):
            return procedures
    raise BadArgument(
        f"--procedures: {name} is not a procedure, nor a mapping or a list of procedures"
    )


CALENDARS = ("official", "weekdays")
"""What ``--calendar`` takes: the procedures as shipped (the official Chinese calendar, the
``cn`` extra), or Monday to Friday with no holidays (as version 0.1.0 shipped them), on
which a store's matters were decided."""


def _say(redact: Callable[[str], str]) -> Callable[[str], None]:
    return lambda line: print(redact(line))


# --- demo --------------------------------------------------------------------------------


def _demo(arguments: argparse.Namespace) -> int:
    from communitygov.demo import run

    # Checked before the store is opened: a refused demo leaves no store behind.
    require_text(arguments.community, "community id")
    url = arguments.store
    if url is None:
        # The default database holds one telling of the story: it is recreated on every run.
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                Path(f"{DEFAULT_DB}{suffix}").unlink(missing_ok=True)
            except OSError as exc:
                raise StoreUnavailable("SQLite", f"{DEFAULT_DB}{suffix}: {exc}") from exc
        url = DEFAULT_STORE
    shown = shown_url(url)
    if arguments.store is None:
        store = ""
    else:  # a URL with its password hidden cannot be given back as it is printed
        store = f" --store {url if shown == url else 'URL (the URL above, with its password)'}"
    if arguments.community != COMMUNITY_ID:
        store += f" --community {arguments.community}"
    print(f"Store: {shown}")
    if url.lower().startswith("memory:"):
        print("  (a memory store keeps nothing once the demo ends: give --store sqlite:///…)")
    else:
        print(f"  (read it afterwards: communitygov notices{store}; communitygov verify{store})")
    print("")
    with _governance(url, read_only=False) as gov:
        run(sys.stdout, store=gov.store, community_id=arguments.community)
    return 0


# --- notices -----------------------------------------------------------------------------


def _notices(arguments: argparse.Namespace) -> int:
    with _governance(
        arguments.store, calendar=arguments.calendar, procedures=arguments.procedures
    ) as gov:
        community = gov.community(arguments.community)
        board = notice_board(gov, arguments.community)
    if arguments.format == "html":
        print(_html(community, board), end="")
    elif arguments.format == "markdown":
        print(f"# {community.name} 公示栏 · Notice board\n")
        for notice in board:
            print(render_markdown(notice))
    else:
        print(f"{community.name} 公示栏 · Notice board: {len(board)} notices")
        for notice in board:
            print("")
            print(render_text(notice))
    return 0


_STYLE = (
    "body{font-family:sans-serif;max-width:42em;margin:2em auto;line-height:1.5}"
    "article{border:1px solid #888;padding:0 1em 1em;margin:1em 0;page-break-inside:avoid}"
    "dt{font-weight:bold}p{white-space:pre-wrap}"
)


def _html(community: Community, board: Sequence[Notice]) -> str:
    e = html.escape
    title = f"{community.name} 公示栏 · Notice board"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh">',
        '<head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>",
        f'<h1>{e(community.name)} 公示栏 <span lang="en">Notice board</span></h1>',
    ]
    if not board:
        parts.append('<p>暂无公示 <span lang="en">No notices</span></p>')
    parts += [render_html(notice) for notice in board]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


# --- show and history --------------------------------------------------------------------


def _kind_of(gov: Governance, community_id: str, aggregate_id: str) -> str:
    found = gov.store.load(community_id, aggregate_id)
    if found is None:
        raise NotFound("record", aggregate_id, community_id)
    return found[0].kind


def _show(arguments: argparse.Namespace) -> int:
    cid, aid = arguments.community, arguments.id
    with _governance(
        arguments.store, calendar=arguments.calendar, procedures=arguments.procedures
    ) as gov:
        kind = _kind_of(gov, cid, aid)
        found = gov.store.load(cid, aid)
        assert found is not None
        summary = found[0]
        zone = time_zone(gov.community(cid).timezone)
        fields = _fields(gov, kind, cid, aid)  # read whole before anything is printed
        say = _say(redactor(gov, cid))
        say(f"{aid}: {kind}, state {summary.state}, version {summary.version + len(found[1])}")
        say(f"  title: {summary.title}")
        say(f"  updated: {summary.updated_at.astimezone(zone):%Y-%m-%d %H:%M %z}")
        if summary.due_at is not None:
            due = summary.due_at.astimezone(zone)
            say(f"  due: {due:%Y-%m-%d %H:%M %z} ({summary.due_what})")
        for label, value in fields:
            say(f"  {label}: {value}")
    return 0


def _ruling(objection: Objection, awaiting: set[str]) -> str:
    """How an objection stands: upheld, dismissed, pending, or lapsed (never ruled on: it
    lapsed with the resolution when another objection to its notice was upheld)."""
    if objection.upheld is not None:
        return "upheld" if objection.upheld else "dismissed"
    return "pending" if objection.id in awaiting else "lapsed"


def _fields(gov: Governance, kind: str, cid: str, aid: str) -> list[tuple[str, object]]:
    if kind == Matter.kind:
        matter = gov.matter(cid, aid)
        awaiting = {o.id for o in matter.pending_objections()}
        objections = ", ".join(f"{o.id} ({_ruling(o, awaiting)})" for o in matter.objections)
        return [
            ("procedure", matter.procedure.name),
            ("raised by", matter.raised_by),
            ("plan", f"v{matter.plan_version}: {matter.plan or '—'}"),
            (
                "opinions",
                "no solicitation"
                if matter.procedure.solicitation is None
                else len(matter.opinions),
            ),
            ("objections", objections or "none"),
            ("resolution notices", matter.publicity_round),
            ("allowed next", ", ".join(matter.allowed_actions()) or "nothing"),
        ]
    if kind == AssistancePlan.kind:
        plan = gov.load(AssistancePlan, cid, aid)
        return [
            ("template", plan.template.name),
            ("current stage", plan.current_stage or "—"),
            ("adopted on", plan.adopted_on or "—"),
            ("mentor", plan.mentor or "—"),
            ("next review", plan.review_due_on or "—"),
            ("case team", len(plan.team)),
            ("unmet goals", ", ".join(plan.unmet_goals()) or "none"),
        ]
    if kind == Fund.kind:
        fund = gov.load(Fund, cid, aid)
        books = fund.books
        return [
            ("plan", fund.plan_id),
            ("管钱 cash custodian", fund.holder(FundRole.CUSTODIAN)),
            ("管账 bookkeeper", fund.holder(FundRole.BOOKKEEPER)),
            ("raised", books.raised),
            ("paid to the beneficiary", books.paid),
            ("expenses", books.spent),
            ("cash / bank", f"{books.cash} / {books.bank}"),
            ("awaiting the bookkeeper", len(fund.pending())),
            ("closed through", f"{fund.closed_through:%Y-%m}" if fund.closed_through else "—"),
        ]
    if kind == Community.kind:
        community = gov.community(cid)
        today = datetime.now(time_zone(community.timezone)).date()
        seats = [
            f"{body.en} {len(community.members_of(body, today))}"
            for body in BodyKind
            if community.members_of(body, today)
        ]
        return [
            ("name", community.name),
            ("district", community.district or "—"),
            ("timezone", community.timezone),
            ("people", len(community.people)),
            ("seats today", "; ".join(seats) or "none"),
        ]
    return []


def _history(arguments: argparse.Namespace) -> int:
    cid, aid = arguments.community, arguments.id
    with _governance(
        arguments.store, calendar=arguments.calendar, procedures=arguments.procedures
    ) as gov:
        kind = _kind_of(gov, cid, aid)
        zone = time_zone(gov.community(cid).timezone)
        redact = redactor(gov, cid)
        say = _say(redact)
        events = gov.history(cid, aid)
        say(f"{aid}: {kind}, {len(events)} events")
        for version, event in enumerate(events, start=1):
            line = describe(event, redact)
            say(f"{version:>4}  {minute_text(event.at.astimezone(zone))}  {line}")
    return 0


# --- due and verify ----------------------------------------------------------------------


def _moment(text: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadArgument(f"--at: expected a date such as 2020-06-20, got {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def _due(arguments: argparse.Namespace) -> int:
    cid = arguments.community
    if arguments.within < 0:
        raise BadArgument(
            f"--within: expected a number of days of 0 or more, got {arguments.within}"
        )
    with _governance(
        arguments.store, calendar=arguments.calendar, procedures=arguments.procedures
    ) as gov:
        zone = time_zone(gov.community(cid).timezone)
        at = _moment(arguments.at, zone) if arguments.at is not None else datetime.now(zone)
        try:
            within = timedelta(days=arguments.within)
            horizon = (at + within).astimezone(zone)
        except OverflowError:
            raise BadArgument(
                f"--at {at.isoformat()} plus --within {arguments.within} days lies outside the "
                "years 1 to 9999 in the community's timezone"
            ) from None
        due = gov.due(cid, at=at, within=within)
        say = _say(redactor(gov, cid))
        say(f"Due before {minute_text(horizon)}: {len(due)}")
        for summary in due:
            assert summary.due_at is not None
            late = " (overdue)" if summary.due_at < at else ""
            say(
                f"  {minute_text(summary.due_at.astimezone(zone))}{late}  {summary.kind} "
                f"{summary.stream_id}: {summary.due_what} — {summary.title}"
            )
    return 0


def _verify(arguments: argparse.Namespace) -> int:
    with _governance(
        arguments.store, calendar=arguments.calendar, procedures=arguments.procedures
    ) as gov:
        problems = gov.verify(arguments.community, summaries=not arguments.chains_only)
        empty = arguments.community is None and not gov.communities()
    if empty:
        print("Integrity check: the store holds no records; there is nothing to check.")
        return 0
    if not problems:
        checked = "" if arguments.chains_only else ", and every summary is what its events make"
        print(f"Integrity check: every hash chain is intact{checked}.")
        return 0
    count = len(problems)
    print(f"Integrity check: {count} problem{'s' * (count != 1)}")
    for problem in problems:
        print(f"  {problem.community_id}/{problem.stream_id} v{problem.version}: {problem.detail}")
    return 1


# --- diagram and events ------------------------------------------------------------------


def _fund_mermaid() -> str:
    """The maker–checker states of a fund entry, from :class:`EntryStatus`: the fund itself
    has no workflow, only entries that are recorded and then booked or rejected."""
    first, *rest = list(EntryStatus)
    lines = [
        "---",
        "title: 帮扶基金记账 (fund entry: maker–checker)",
        "---",
        "stateDiagram-v2",
        f"    [*] --> {first.value}: custodian records",
    ]
    for status in rest:
        action = "book" if status is EntryStatus.BOOKED else status.value.removesuffix("ed")
        lines.append(f"    {first.value} --> {status.value}: bookkeeper {action}s")
        lines.append(f"    {status.value} --> [*]")
    return "\n".join(lines)


def _diagram(arguments: argparse.Namespace) -> int:
    if arguments.kind != "matter" and arguments.procedure is not None:
        raise BadArgument("--procedure applies to matter diagrams only")
    if arguments.kind != "assistance" and arguments.template is not None:
        raise BadArgument("--template applies to assistance diagrams only")
    if arguments.kind == "matter":
        print(PROCEDURES[arguments.procedure or DEFAULT_PROCEDURE].mermaid())
    elif arguments.kind == "assistance":
        print(PLAN_TEMPLATES[arguments.template or FOUR_STAGES.name].mermaid())
    else:
        print(_fund_mermaid())
    return 0


def _events(arguments: argparse.Namespace) -> int:
    from communitygov.catalogue import events_markdown

    print(events_markdown(), end="")
    return 0


# --- the parser --------------------------------------------------------------------------


def _store_options(
    parser: argparse.ArgumentParser, *, demo: bool = False, every_community: bool = False
) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        default=None if demo else DEFAULT_STORE,
        help=(
            "memory://, sqlite:///path.db or postgresql://… "
            + (
                f"(default: {DEFAULT_STORE}, recreated on every run; another store that "
                "already holds the community is refused)"
                if demo
                else "(default: %(default)s, where `demo` writes)"
            )
        ),
    )
    if not demo:
        parser.add_argument(
            "--procedures",
            metavar="MODULE:NAME",
            default=None,
            help="the application's own procedures, besides the shipped ones, for a store whose "
            "matters follow them: a procedure, a mapping or a list of procedures importable "
            "as MODULE:NAME, such as myapp.rules:PROCEDURES",
        )
        parser.add_argument(
            "--calendar",
            choices=CALENDARS,
            default="official",
            help="the calendar the store's matters count their periods on: official (the "
            "official Chinese calendar, as shipped; the cn extra) or weekdays (Monday to "
            "Friday, on which version 0.1.0 counted) (default: %(default)s)",
        )
    parser.add_argument(
        "--community",
        metavar="ID",
        default=None if every_community else COMMUNITY_ID,
        help="check this community alone (default: every community)"
        if every_community
        else "the community's id (default: %(default)s)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="communitygov",
        description="Community-governance workflows: 一征三议两公开 and more.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="tell the Sanwan story into a store, step by step",
        description="Tell the Sanwan story — the 福乐 plan decided by 一征三议两公开, the "
        "assistance plan and its four stages, the handicraft fund, a matter sent back by an "
        "upheld objection — storing every step, then print the notice board and an integrity "
        "check.",
    )
    _store_options(demo, demo=True)
    demo.set_defaults(handler=_demo)

    notices = commands.add_parser(
        "notices",
        help="print a community's notice board",
        description="Every notice of the community's matters, plans and fund statements, "
        "oldest first; beneficiaries are de-identified unless they consented to be named.",
    )
    _store_options(notices)
    notices.add_argument(
        "--format",
        choices=["text", "markdown", "html"],
        default="text",
        help="text, Markdown, or a printable HTML page (default: %(default)s)",
    )
    notices.set_defaults(handler=_notices)

    show = commands.add_parser(
        "show",
        help="print an aggregate's state",
        description="Print a stored matter, plan, fund or community: kind, state, version and "
        "its main fields.",
    )
    show.add_argument("id", metavar="ID", help="the aggregate's id, e.g. fule-plan")
    _store_options(show)
    show.set_defaults(handler=_show)

    history = commands.add_parser(
        "history",
        help="print an aggregate's event history",
        description="Every event of one aggregate: version, time, type and its facts.",
    )
    history.add_argument("id", metavar="ID", help="the aggregate's id, e.g. fule-plan")
    _store_options(history)
    history.set_defaults(handler=_history)

    due = commands.add_parser(
        "due",
        help="list deadlines coming up",
        description="Solicitation windows, publicity periods, stage reviews and cash "
        "reconciliations falling due before --at plus --within days (overdue ones included).",
    )
    due.add_argument(
        "--at",
        metavar="DATE",
        help="ISO date or date-time, in the community's timezone if naive (default: now)",
    )
    due.add_argument(
        "--within", type=int, default=7, metavar="DAYS", help="days ahead (default: %(default)s)"
    )
    _store_options(due)
    due.set_defaults(handler=_due)

    verify = commands.add_parser(
        "verify",
        help="check the hash chains and summaries of the whole store",
        description="Check every stored event against its hash chain, and every summary "
        "against its stream's events replayed with the shipped procedures; exit 1 and list "
        "the problems if any.",
    )
    verify.add_argument(
        "--chains-only",
        action="store_true",
        help="check the hash chains alone (for a store whose matters follow procedures of "
        "its own, which this command cannot replay)",
    )
    _store_options(verify, every_community=True)
    verify.set_defaults(handler=_verify)

    diagram = commands.add_parser(
        "diagram",
        help="print a state machine as a Mermaid diagram",
        description="matter: a procedure's machine (--procedure); assistance: a plan "
        "template's machine (--template); fund: the maker–checker states of a fund entry.",
    )
    diagram.add_argument(
        "kind",
        nargs="?",
        choices=["matter", "assistance", "fund"],
        default="matter",
        help="which machine (default: %(default)s)",
    )
    diagram.add_argument(
        "--procedure",
        choices=sorted(PROCEDURES),
        default=None,
        help=f"for a matter: which shipped procedure (default: {DEFAULT_PROCEDURE})",
    )
    diagram.add_argument(
        "--template",
        choices=sorted(PLAN_TEMPLATES),
        default=None,
        help=f"for assistance: which plan template (default: {FOUR_STAGES.name})",
    )
    diagram.set_defaults(handler=_diagram)

    events = commands.add_parser("events", help="print the catalogue of event types (Markdown)")
    events.set_defaults(handler=_events)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show 周: \u5468, no crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    arguments = _parser().parse_args(argv)
    try:
        status: int = arguments.handler(arguments)
        sys.stdout.flush()  # here, so that a reader gone away is met below, not at exit
    except CommunityGovError as error:
        print(f"communitygov: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return status
