"""The command line and the main job."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

import communitygov as cg
from communitygov import cli
from communitygov.cli import main
from support import community, raised, sent_back_with_an_objection_unruled, tracked_community

BENEFICIARY = "周盛"


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The demo told once into an SQLite file: its path, its URL and what it printed."""
    path = tmp_path_factory.mktemp("demo") / "story.db"
    url = f"sqlite:///{path}"
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        assert main(["demo", "--store", url]) == 0
    return path, url, out.getvalue()


@pytest.fixture
def story_copy(story: tuple[Path, str, str], tmp_path: Path) -> Path:
    """A copy of the story's file, for a test that changes it."""
    copy = tmp_path / "story.db"
    with sqlite3.connect(story[0]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_demo_tells_the_whole_story(story: tuple[Path, str, str]) -> None:
    _, url, out = story
    assert f"Store: {url}" in out
    assert "[closed" in out
    assert "【决议公开 Notice of resolution】" in out
    assert "【实施结果公开 Notice of result】" in out
    assert "【异议处理结果公示 Ruling on an objection】" in out
    assert "24 of 30 present (quorum)" in out
    assert "邱芝兰 assigned as mentor" in out
    for stage in ("speak_up", "go_out", "first_wish", "stand_up"):
        assert f"stage {stage} passed" in out
    assert "累计筹得 Total raised: 2,590.00 元" in out
    assert "Objection obj1: upheld 成立." in out
    assert "sent back to deliberation" in out
    assert out.rstrip().endswith("Integrity check: intact")
    assert BENEFICIARY not in out  # the beneficiary is only ever 周某


def test_demo_with_the_default_store_runs_twice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert main(["demo"]) == 0  # the default database is recreated
    out = capsys.readouterr().out
    assert "Store: sqlite:///" in out
    assert BENEFICIARY not in out


def test_demo_refuses_a_store_that_holds_the_story(
    story: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url, _ = story
    status, _, err = run_cli(capsys, "demo", "--store", url)
    assert status == 1
    assert err.startswith("communitygov: the store already holds community 'sanwan'")
    assert err.count("\n") == 1


def test_a_refused_demo_leaves_no_store_behind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The store was opened (and created) before the community id was refused, and the empty
    # file it left then verified as intact.
    path = tmp_path / "refused.db"
    status, out, err = run_cli(capsys, "demo", "--store", f"sqlite:///{path}", "--community", "")
    assert (status, out) == (1, "")
    assert err == "communitygov: community id must not be empty\n"
    assert not path.exists()


def test_the_demo_s_hint_reads_back_what_it_wrote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    status, out, _ = run_cli(capsys, "demo", "--store", url, "--community", "other")
    assert status == 0
    hint = f"communitygov notices --store {url} --community other;"
    assert hint in out.splitlines()[1]
    status, out, _ = run_cli(capsys, "notices", "--store", url, "--community", "other")
    assert status == 0
    assert "Notice board: 0 notices" not in out
    status, out, _ = run_cli(capsys, "demo", "--store", "memory://")
    assert status == 0
    assert "keeps nothing once the demo ends" in out.splitlines()[1]


def test_verify_says_so_of_a_store_that_holds_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "empty.db"
    cg.SQLiteStore(path).close()
    status, out, _ = run_cli(capsys, "verify", "--store", f"sqlite:///{path}")
    assert status == 0
    assert out == "Integrity check: the store holds no records; there is nothing to check.\n"


def test_demo_matter_is_closed_and_replays() -> None:
    from communitygov.demo import run

    matter, events = run(io.StringIO())
    assert matter.state == cg.MatterState.CLOSED
    assert cg.Matter.replay(events) == matter


def test_show_prints_kind_state_version_and_fields(
    story: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url, _ = story
    status, out, _ = run_cli(capsys, "show", "fule-plan", "--store", url)
    assert status == 0
    assert out.startswith("fule-plan: matter, state closed, version 17")
    assert "objections: obj1 (dismissed)" in out
    status, out, _ = run_cli(capsys, "show", "charging-pile", "--store", url)
    assert "state propose" in out
    assert "obj1 (upheld)" in out
    status, out, _ = run_cli(capsys, "show", "fule-1", "--store", url)
    assert "assistance_plan, state graduated" in out
    assert "mentor: qiu" in out
    status, out, _ = run_cli(capsys, "show", "fule-crafts", "--store", url)
    assert "raised: 2,590.00 元" in out
    assert "awaiting the bookkeeper: 1" in out
    assert "  closed through: 2020-05\n" in out  # a month, not the day it begins
    status, out, _ = run_cli(capsys, "show", "sanwan", "--store", url)
    assert "sanwan: community" in out
    assert "people: 46" in out


def test_history_lists_every_event(
    story: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url, _ = story
    status, out, _ = run_cli(capsys, "history", "fule-plan", "--store", url)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "fule-plan: matter, 17 events"
    assert lines[1].split()[:4] == ["1", "2019-04-08", "09:00", "matter.raised"]
    assert "matter.deliberation_held" in out
    assert lines[-1].split()[0] == "17"


def test_history_withholds_a_detail_a_long_fact_would_cut_in_two(
    story_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The detail starts well inside a description longer than a printed fact.
    url = f"sqlite:///{story_copy}"
    with cg.open_store(url) as store:
        gov = cg.Governance(store)
        gov.create(
            cg.Matter.raise_matter(
                "relief",
                community=gov.community("sanwan"),
                procedure=gov.procedure("yizheng-sanyi-liang-gongkai"),
                title="临时救助",
                description=f"居民代表提议为辖区困难青年{BENEFICIARY}(盆骨及右腿受伤,终生残疾)申请救助",
                source=cg.MotionSource.RESIDENTS,
                raised_by="wu",
                at=datetime(2020, 8, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
            )
        )
    status, out, _ = run_cli(capsys, "history", "relief", "--store", url)
    assert status == 0
    assert "盆骨" not in out
    assert BENEFICIARY not in out
    assert "[已隐去" in out


def test_due_lists_the_fund_reconciliation(
    story: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url, _ = story
    status, out, _ = run_cli(capsys, "due", "--at", "2020-06-25", "--store", url)
    assert status == 0
    assert "Due before 2020-07-02 00:00: 1" in out
    assert "2020-07-01 00:00  fund fule-crafts: cash reconciliation — 周某的帮扶基金" in out
    status, out, _ = run_cli(capsys, "due", "--at", "2020-06-01", "--store", url)
    assert ": 0" in out.splitlines()[0]


def test_notices_in_three_formats(
    story: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url, _ = story
    status, text, _ = run_cli(capsys, "notices", "--store", url)
    assert status == 0
    assert "Notice board: 7 notices" in text
    assert "【收支公示 Statement of accounts】" in text  # a fund's statement
    assert "帮扶基金 Fund: 周某的帮扶基金 (fule-crafts)" in text
    assert "帮扶计划 Assistance plan: 周某的精准帮扶项目 (fule-1)" in text  # a plan's notice
    assert "事项 Matter: 电动车充电桩选址 (charging-pile)" in text  # and a matter's
    assert "周某制作的手工制品" in text
    _, markdown, _ = run_cli(capsys, "notices", "--format", "markdown", "--store", url)
    assert "### 决议公开 · Notice of resolution" in markdown
    _, page, _ = run_cli(capsys, "notices", "--format", "html", "--store", url)
    assert page.startswith("<!DOCTYPE html>")
    assert '<h2>决议公开 <span lang="en">Notice of resolution</span></h2>' in page
    assert '<h2>异议处理结果公示 <span lang="en">Ruling on an objection</span></h2>' in page
    assert "&#x27;" not in text
    assert "<" not in text
    assert "“福乐”精准帮扶项目 (fule-plan)" in page


def test_html_escapes_what_was_typed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    url = f"sqlite:///{tmp_path / 'x.db'}"
    store = cg.open_store(url)
    gov = cg.Governance(store)
    at = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    gov.register_community("c1", "<b>社区</b> & co", at=at)
    store.close()
    status, page, _ = run_cli(
        capsys, "notices", "--format", "html", "--store", url, "--community", "c1"
    )
    assert status == 0
    assert "<b>" not in page
    assert "&lt;b&gt;社区&lt;/b&gt; &amp; co" in page


def test_no_output_names_the_beneficiary(
    story: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url, _ = story
    commands = [
        ["notices"],
        ["notices", "--format", "markdown"],
        ["notices", "--format", "html"],
        ["due", "--at", "2020-06-25"],
        ["verify"],
    ]
    for aggregate in ("sanwan", "fule-plan", "fule-1", "fule-crafts", "charging-pile"):
        commands += [["show", aggregate], ["history", aggregate]]
    for command in commands:
        status, out, err = run_cli(capsys, *command, "--store", url)
        assert status == 0, command
        assert BENEFICIARY not in out + err, command
    # ... though the register holds his name, so the redaction is doing the work
    gov = cg.Governance(cg.open_store(url))
    assert gov.community("sanwan").person("zhou").name == BENEFICIARY
    gov.store.close()


def test_verify_fails_after_a_row_is_tampered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tampered.db"
    url = f"sqlite:///{path}"
    assert main(["demo", "--store", url]) == 0
    capsys.readouterr()
    status, out, _ = run_cli(capsys, "verify", "--store", url)
    assert (status, out) == (
        0,
        "Integrity check: every hash chain is intact, and every summary is what its events make.\n",
    )
    with sqlite3.connect(path) as connection:
        changed = connection.execute(
            "UPDATE cg_batches SET events = replace(events, '2590', '2950') "
            "WHERE stream_id = 'fule-crafts'"
        ).rowcount
        if not changed:
            changed = connection.execute(
                "UPDATE cg_batches SET events = replace(events, '福乐', '福禄') "
                "WHERE stream_id = 'fule-plan'"
            ).rowcount
    assert changed
    status, out, _ = run_cli(capsys, "verify", "--store", url)
    assert status == 1
    assert out.splitlines()[0] == "Integrity check: 1 problem"  # one stream tampered with


def test_verify_checks_the_chains_alone_of_matters_on_procedures_of_their_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command line knows the shipped procedures only: a matter on another cannot be
    # replayed there, and --chains-only leaves the summaries to the application's own check.
    url = f"sqlite:///{tmp_path / 'own.db'}"
    own = attrs.evolve(cg.ONE_SOLICITATION_THREE_DELIBERATIONS, name="my-variant")
    store = cg.open_store(url)
    gov = cg.Governance(store, procedures=[*cg.PROCEDURES.values(), own])
    gov.create((community(), tracked_community().events))
    t = raised(own)
    gov.create((t.value, t.events))
    assert gov.verify() == []
    store.close()
    status, out, _ = run_cli(capsys, "verify", "--store", url)
    assert status == 1
    assert "follows procedure 'my-variant', which is not among the procedures given" in out
    status, out, _ = run_cli(capsys, "verify", "--chains-only", "--store", url)
    assert (status, out) == (0, "Integrity check: every hash chain is intact.\n")


def test_the_reading_commands_take_the_application_s_own_procedures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'own.db'}"
    (tmp_path / "myrules.py").write_text(
        "import attrs\n"
        "import communitygov as cg\n"
        "OWN = attrs.evolve(cg.ONE_SOLICITATION_THREE_DELIBERATIONS, name='my-variant')\n"
        "PROCEDURES = {'my-variant': OWN}\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    own = attrs.evolve(cg.ONE_SOLICITATION_THREE_DELIBERATIONS, name="my-variant")
    with cg.Governance(cg.open_store(url), procedures=[*cg.PROCEDURES.values(), own]) as gov:
        gov.create((community(), tracked_community().events))
        t = raised(own)
        gov.create((t.value, t.events))
    for given in ("myrules:PROCEDURES", "myrules:OWN"):  # a mapping, or one procedure
        status, out, _ = run_cli(capsys, "verify", "--store", url, "--procedures", given)
        assert status == 0
        assert out.startswith("Integrity check: every hash chain is intact, and every summary")
    status, out, _ = run_cli(capsys, "show", "m1", "--store", url, "--procedures", "myrules:OWN")
    assert status == 0
    assert "my-variant" in out
    status, out, _ = run_cli(capsys, "notices", "--store", url, "--procedures", "myrules:OWN")
    assert status == 0
    (tmp_path / "needsenv.py").write_text("raise RuntimeError('needs DATABASE_URL')\n")
    (tmp_path / "badsyntax.py").write_text("def (:\n")
    for wrong, says in (
        ("myrules", "takes module:attribute"),
        (".myrules:OWN", "takes module:attribute"),
        ("nosuchmodule:X", "cannot import 'nosuchmodule'"),
        ("needsenv:X", "cannot import 'needsenv': RuntimeError: needs DATABASE_URL"),
        ("badsyntax:X", "cannot import 'badsyntax': SyntaxError"),
        ("myrules:NOTHING", "has no 'NOTHING'"),
        ("myrules:cg", "is not a procedure, nor a mapping or a list of procedures"),
    ):
        status, _, err = run_cli(capsys, "verify", "--store", url, "--procedures", wrong)
        assert status == 1
        assert says in err


def test_due_writes_every_year_with_four_digits(
    story: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url, _ = story
    status, out, _ = run_cli(capsys, "due", "--store", url, "--at", "0001-01-01")
    assert status == 0
    assert out.startswith("Due before 0001-01-08 00:00: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "nosuch"], "nosuch"),
        (["history", "nosuch"], "nosuch"),
        (["due", "--at", "next tuesday"], "--at"),
        (["notices", "--community", "nowhere"], "nowhere"),
        (["verify", "--store", "ftp://example.org"], "names no kind of store"),
        (["diagram", "fund", "--procedure", "siyi-liang-gongkai"], "--procedure"),
        (["diagram", "matter", "--template", "si-bu-qu"], "--template"),
        (["due", "--at", "9999-12-31"], "outside the years 1 to 9999"),
        (["due", "--at", "0001-01-01T00:00+14:00", "--within", "0"], "outside the years 1 to"),
        (["due", "--at", "2020-06-25", "--within", "99999999"], "outside the years 1 to 9999"),
        (["due", "--at", "2020-06-25", "--within", str(10**21)], "outside the years 1 to 9999"),
        (["due", "--at", ""], "expected a date"),
    ],
)
def test_errors_are_one_line(
    story: tuple[Path, str, str],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    _, url, _ = story
    extra = [] if "--store" in argv or argv[0] == "diagram" else ["--store", url]
    status, _out, err = run_cli(capsys, *argv, *extra)
    assert status == 1
    assert err.startswith("communitygov: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_stored_timezone_this_machine_lacks_is_one_line(
    story_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = story_copy
    with sqlite3.connect(copy) as target:
        target.execute(
            "UPDATE cg_streams SET snapshot = replace(snapshot, 'Asia/Shanghai', 'Mars/Olympus') "
            "WHERE stream_id = 'sanwan'"
        )
    for command in ("show", "history"):
        status, _out, err = run_cli(capsys, command, "fule-plan", "--store", f"sqlite:///{copy}")
        assert status == 1
        assert err == "communitygov: unknown timezone 'Mars/Olympus'\n"


def test_output_a_terminal_cannot_show_is_escaped(story: tuple[Path, str, str]) -> None:
    _, url, _ = story
    result = subprocess.run(
        [sys.executable, "-m", "communitygov", "show", "fule-plan", "--store", url],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert b"\\u" in result.stdout  # the Chinese title, escaped


def test_verify_checks_one_community_when_asked(
    story: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url, _ = story
    status, out, _ = run_cli(capsys, "verify", "--store", url, "--community", "sanwan")
    assert status == 0
    assert out.startswith("Integrity check: every hash chain is intact")
    status, _out, err = run_cli(capsys, "verify", "--store", url, "--community", "nowhere")
    assert status == 1
    assert "no community 'nowhere'" in err


def test_reading_commands_never_create_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A mistyped path must not read as an intact, empty store.
    missing = tmp_path / "typo.db"
    for argv in (["verify"], ["show", "fule-plan"], ["notices"], ["history", "x"], ["due"]):
        status, _out, err = run_cli(capsys, *argv, "--store", f"sqlite:///{missing}")
        assert status == 1
        assert err == f"communitygov: the SQLite store is unavailable: {missing}: no such file\n"
    assert list(tmp_path.iterdir()) == []


def test_reading_commands_leave_the_store_exactly_as_it_was(
    story_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A store in the journal mode SQLite starts in, as an older tool or a copy may leave it:
    # opening it for writing would switch it to WAL.
    with sqlite3.connect(story_copy) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    before = story_copy.read_bytes()
    url = f"sqlite:///{story_copy}"
    for argv in (["verify"], ["show", "fule-plan"], ["notices"], ["history", "fule-1"], ["due"]):
        status, _out, err = run_cli(capsys, *argv, "--store", url)
        assert (status, err) == (0, ""), argv
    assert story_copy.read_bytes() == before
    assert sorted(p.name for p in story_copy.parent.iterdir()) == ["story.db"]


def test_a_missing_default_store_points_to_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "demo.db"
    monkeypatch.setattr(cli, "DEFAULT_DB", missing)
    monkeypatch.setattr(cli, "DEFAULT_STORE", f"sqlite:///{missing}")
    status, _out, err = run_cli(capsys, "verify")
    assert status == 1
    assert err == (
        f"communitygov: the SQLite store is unavailable: {missing}: no such file "
        "(communitygov demo writes the default store)\n"
    )


def test_argument_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["diagram", "nonsense"])
    assert raised.value.code == 2


def test_every_command_has_help() -> None:
    for command in ("demo", "notices", "show", "history", "due", "verify", "diagram", "events"):
        result = subprocess.run(
            [sys.executable, "-m", "communitygov", command, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, command
        assert "usage: communitygov " + command in result.stdout


def test_diagram_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "--procedure", "siyi-liang-gongkai"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---")
    assert "stateDiagram-v2" in out
    assert "review --> resolve: adopt" in out


def test_diagrams_of_plans_and_funds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "assistance"]) == 0
    assert capsys.readouterr().out.strip() == cg.FOUR_STAGES.mermaid().strip()
    assert main(["diagram", "fund"]) == 0
    out = capsys.readouterr().out
    assert "recorded --> booked: bookkeeper books" in out
    assert "recorded --> rejected: bookkeeper rejects" in out


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


def test_decide_plan_walks_the_matter_without_a_store() -> None:
    from communitygov.demo import build_community, decide_plan

    steps = list(decide_plan(build_community()))
    assert steps[0][0] == "raised by the branch secretary, about the plan"
    final = steps[-1][1][0]
    assert final.state == cg.MatterState.CLOSED
    events = [event for _, (_, new) in steps for event in new]
    assert cg.Matter.replay(events) == final


def test_the_commands_work_against_postgresql(
    postgres_server: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from urllib.parse import quote

    from psycopg.conninfo import conninfo_to_dict

    name, conninfo = postgres_server.create_database()  # type: ignore[attr-defined]
    parts = conninfo_to_dict(conninfo)
    # The throwaway server trusts its local users, so the password is never sent; it must
    # never be printed either.
    user = quote(str(parts.get("user", "")))
    where = f"{parts.get('host', '127.0.0.1')}:{parts.get('port', 5432)}/{parts['dbname']}"
    dsn = f"postgresql://{user}:s3cret@{where}"
    try:
        status, out, _ = run_cli(capsys, "demo", "--store", dsn)
        assert status == 0
        assert out.rstrip().endswith("Integrity check: intact")
        assert "s3cret" not in out
        assert f"Store: postgresql://{user}:***@{where}\n" in out
        assert "notices --store URL (the URL above, with its password)" in out
        for command in (["verify"], ["notices"], ["show", "fule-plan"], ["history", "fule-1"]):
            status, out, err = run_cli(capsys, *command, "--store", dsn)
            assert (status, err) == (0, ""), command
            assert out.strip(), command
            assert BENEFICIARY not in out
        status, out, _ = run_cli(capsys, "due", "--at", "2020-06-25", "--store", dsn)
        assert status == 0
        assert "fule-crafts" in out
    finally:
        postgres_server.drop_database(name)  # type: ignore[attr-defined]


def test_the_default_demo_file_is_the_users_own(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two people on one machine each get a file of their own, named after the account of the
    # process's user id (not $USER, which su leaves behind), whatever that name holds.
    import pwd

    from communitygov import cli

    account = pwd.getpwuid(os.getuid()).pw_name
    assert cli.DEFAULT_DB.name == f"communitygov-demo-{account}.db"
    assert cli.DEFAULT_DB.parent == Path(tempfile.gettempdir())
    monkeypatch.setenv("USER", "someone-else")
    monkeypatch.setenv("LOGNAME", "someone-else")
    assert cli._user() == account

    class Entry:
        pw_name = "li si/../x"

    monkeypatch.setattr(pwd, "getpwuid", lambda uid: Entry())
    assert cli._user() == "li_si_.._x"

    def no_account(uid: int) -> None:
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", no_account)
    assert cli._user() == str(os.getuid())


def test_a_store_decided_on_weekdays_is_read_with_calendar_weekdays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "official.db"
    at = datetime(2025, 9, 29, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with cg.SQLiteStore(path) as store:
        gov = cg.Governance(store, calendar=cg.WEEKDAYS)  # as version 0.1.0 shipped
        gov.register_community("dongcun", "东村社区", at=at)
        c = gov.execute(
            cg.Community, "dongcun", "dongcun", lambda c: c.register_person("wu", "吴", at=at)
        )
        gov.create(
            cg.Matter.raise_matter(
                "m1",
                community=c,
                procedure=gov.procedure("yizheng-sanyi-liang-gongkai"),
                title="国庆后议事",
                description="d",
                source=cg.MotionSource.RESIDENTS,
                raised_by="wu",
                at=at,
            )
        )
    url = f"sqlite:///{path}"
    common = ("--store", url, "--community", "dongcun")
    status, out, _ = run_cli(capsys, "show", "m1", *common, "--calendar", "weekdays")
    assert status == 0
    assert "国庆后议事" in out
    status, out, _ = run_cli(capsys, "verify", "--store", url, "--calendar", "weekdays")
    assert (status, out) == (
        0,
        "Integrity check: every hash chain is intact, and every summary is what its events make.\n",
    )
    status, out, err = run_cli(capsys, "show", "m1", *common)  # official, as shipped
    assert (status, out) == (1, "")  # nothing of the record before the error
    assert "'weekdays'" in err  # the error names the calendar the matter counts on


def test_show_names_an_objection_whose_notice_was_replaced_lapsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = sent_back_with_an_objection_unruled()
    url = f"sqlite:///{tmp_path / 'show.db'}"
    with cg.open_store(url) as store:
        gov = cg.Governance(store)
        gov.create((community(), tracked_community().events))
        gov.create((t.value, t.events))
    status, out, _ = run_cli(capsys, "show", t.value.id, "--store", url)
    assert status == 0
    assert "objections: x1 (lapsed), x2 (upheld)" in out


def test_procedures_import_from_the_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The installed `communitygov` command does not put the working directory on the path
    # as `python -m` does: --procedures looks there too.
    app = tmp_path / "app"
    app.mkdir()
    (app / "cwdrules.py").write_text(
        "import attrs\nimport communitygov as cg\n"
        "OWN = attrs.evolve(cg.ONE_SOLICITATION_THREE_DELIBERATIONS, name='cwd-variant')\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(app)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(app))])
    url = f"sqlite:///{tmp_path / 'cwd.db'}"
    with cg.Governance(cg.open_store(url)) as gov:
        gov.create((community(), tracked_community().events))
    status, out, _ = run_cli(capsys, "verify", "--store", url, "--procedures", "cwdrules:OWN")
    assert status == 0
    assert out.startswith("Integrity check: every hash chain is intact")
