"""The ``lsc`` command line: parse options, call the library, render, set the exit code.

No business logic lives here. Exit codes: 0 ok, 1 a data or validation problem (or a
``--fail-on`` hit), 2 a usage error. Data goes to stdout, messages to stderr.
Heavy modules (rich tables, pydantic models, YAML, charts) are imported inside the
commands that need them, so ``lsc --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from . import __version__

if TYPE_CHECKING:
    from .loader import Plan

app = typer.Typer(
    name="lsc",
    help="Track the Lancashire and South Cumbria ICS plan: priorities, measures, milestones.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Settings:
    """Options given before the command, shared by every command."""

    data_dir: Path


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lsc {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    data: Annotated[
        Path,
        typer.Option(
            "--data",
            envvar="LSC_DATA",
            help="Directory holding the plan's YAML files (else $LSC_DATA, else ./data).",
            show_default=True,
        ),
    ] = Path("data"),
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Track the Lancashire and South Cumbria ICS plan: priorities, measures, milestones.

    Example: lsc --data data status --as-of 2021-03-31
    """
    ctx.obj = Settings(data_dir=data)


# --- shared helpers -----------------------------------------------------------------------


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one error line to stderr and exit (1 data problem, 2 usage)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings(ctx: typer.Context) -> Settings:
    return ctx.find_object(Settings) or Settings(Path(os.environ.get("LSC_DATA", "data")))


def load_valid_plan(ctx: typer.Context, *, today: date | None = None) -> Plan:
    """Load the plan, or list its problems on stderr and exit 1 (run `lsc check` for all)."""
    from .loader import load
    from .problems import format_problems

    plan, problems = load(settings(ctx).data_dir, today=today)
    if problems:
        shown = problems[:20]
        typer.echo(format_problems(shown, "text"), err=True)
        more = f" (showing {len(shown)})" if len(problems) > len(shown) else ""
        fail(f"the data has {_count(len(problems), 'problem')}{more}; run 'lsc check' for the list")
    return plan


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def parse_date_option(text: str | None, option: str) -> date | None:
    """Parse an ISO date option; a malformed one is a usage error (exit 2)."""
    if text is None:
        return None
    from .models import parse_iso_date

    try:
        return parse_iso_date(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


# --- check --------------------------------------------------------------------------------


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    gitlab = "gitlab"


@app.command()
def check(
    ctx: typer.Context,
    fmt: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (path:line:col), json, github (annotations) or gitlab (Code Quality).",
        ),
    ] = CheckFormat.text,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = False,
) -> None:
    """Validate the data files; list every problem as file:line:column.

    Exits 0 when the data is valid, 1 when it is not.

    Example: lsc --data data check --format github
    """
    from .loader import load
    from .problems import format_problems

    data_dir = settings(ctx).data_dir
    plan, problems = load(data_dir, today=date.today())
    output = format_problems(problems, fmt.value)
    if output:
        typer.echo(output)
    if not quiet:
        if problems:
            files = len({p.source.path for p in problems})
            typer.echo(f"{_count(len(problems), 'problem')} in {_count(files, 'file')}", err=True)
        else:
            summary = ", ".join(
                _count(len(items), noun)
                for items, noun in (
                    (plan.priorities, "priority"),
                    (plan.places, "place"),
                    (plan.metrics, "metric"),
                    (plan.actuals, "actual"),
                )
            ).replace("prioritys", "priorities")
            typer.echo(f"{data_dir}: valid ({summary})", err=True)
    raise typer.Exit(1 if problems else 0)


# --- schema and init ------------------------------------------------------------------------


@app.command()
def schema(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to write the schemas into.")
    ] = Path("schemas"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not list the files.")] = False,
) -> None:
    """Write a JSON Schema for each data file, for editors' completion and squiggles.

    Example: lsc schema --output schemas
    """
    from .schema import write_schemas

    try:
        written = write_schemas(output)
    except OSError as error:
        fail(f"cannot write to {output}: {error.strerror}")
    if not quiet:
        for path in written:
            typer.echo(f"wrote {path}", err=True)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Directory for the new plan's files.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not list the files.")] = False,
) -> None:
    """Start a new, empty plan: commented example files that pass `lsc check`.

    Refuses to overwrite existing files.

    Example: lsc init my-plan && lsc --data my-plan check
    """
    from .problems import LscError
    from .starter import init_plan

    try:
        written = init_plan(directory)
    except LscError as error:
        fail(str(error))
    if not quiet:
        for path in written:
            typer.echo(f"wrote {path}", err=True)
        typer.echo(
            f"next: edit {directory}/priorities.yaml, then: lsc --data {directory} check", err=True
        )


def run() -> None:
    """Run the app; turn an unexpected OS error into one line rather than a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
