"""A light start: each run imports and builds only what its command needs (issue 17, point 10).

The time itself is measured in benchmarks/run.py (docs/performance.md), never asserted here;
these tests pin the mechanisms that keep it short, so a change cannot undo them unnoticed.
"""

from __future__ import annotations

import sys

import pytest

from conftest import SHIPPED_DATA, lsc_process
from lsc_tracker import cli


def command_names() -> list[str]:
    return [
        info.name or info.callback.__name__.replace("_", "-")
        for info in cli.app.registered_commands
        if info.callback is not None
    ]


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every command, restored after the test (the trimming changes the app in place)."""
    monkeypatch.setattr(cli.app, "registered_commands", list(cli.app.registered_commands))
    for name in list(__import__("os").environ):
        if name.endswith("_COMPLETE"):
            monkeypatch.delenv(name)
    return command_names()


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["--data", "plan", "status", "--format", "json"],
        ["--data=plan", "--no-pager", "status"],
        ["status", "--help"],
    ],
)
def test_a_run_naming_its_command_builds_only_that_command(
    commands: list[str], argv: list[str]
) -> None:
    assert len(commands) > 10
    cli._register_only_the_command_given(argv)
    assert command_names() == ["status"]


@pytest.mark.parametrize(
    "argv",
    [[], ["--help"], ["--version"], ["stauts"], ["-h", "status"], ["--data"], ["--bogus", "check"]],
)
def test_every_command_stays_when_none_is_named_plainly(
    commands: list[str], argv: list[str]
) -> None:
    cli._register_only_the_command_given(argv)
    assert command_names() == commands


def test_shell_completion_sees_every_command(
    commands: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_LSC_COMPLETE", "bash_complete")
    cli._register_only_the_command_given(["status"])
    assert command_names() == commands


@pytest.mark.slow
def test_a_mistyped_command_is_still_suggested_and_help_lists_every_command() -> None:
    typo = lsc_process(None, "stauts")
    assert typo.exit_code == 2 and "Did you mean 'status'?" in typo.stderr
    listed = lsc_process(None, "--help")
    assert listed.exit_code == 0
    for name in ("check", "status", "record", "list", "report", "return-form"):
        assert name in listed.stdout


# Runs lsc's entry point in a fresh interpreter, then lists every module it imported (on
# stderr, after a marker line), whatever way the command ended.
LIST_MODULES = """
import sys
from lsc_tracker.__main__ import main
sys.argv = ["lsc", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
finally:
    sys.stdout.flush()
    print("--modules--", *sorted(sys.modules), sep="\\n", file=sys.__stderr__)
"""


def imported_modules(*args: str) -> set[str]:
    ran = lsc_process(SHIPPED_DATA, *args, command=[sys.executable, "-c", LIST_MODULES])
    assert ran.exit_code == 0, ran.stderr[-2000:]
    return set(ran.stderr.split("--modules--\n", 1)[1].split())


@pytest.mark.slow
def test_help_does_not_build_the_plans_models() -> None:
    modules = imported_modules("--help")
    assert "lsc_tracker.cli" in modules
    assert not {"lsc_tracker.models", "lsc_tracker.plan", "pydantic"} & modules


@pytest.mark.slow
def test_status_as_json_imports_no_table_workbook_chart_or_template_code() -> None:
    modules = imported_modules("status", "--format", "json")
    assert "lsc_tracker.renderers.status_files" in modules
    heavy = {
        "lsc_tracker.renderers.status_table",
        "lsc_tracker.renderers.workbook",
        "openpyxl",
        "matplotlib",
        "jinja2",
    }
    assert not heavy & modules
