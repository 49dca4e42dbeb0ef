"""The ``lsc`` command line: parse options, call the library, render, set the exit code.

No business logic lives here. Exit codes: 0 ok; 1 a data or validation problem, an id the
plan does not have (a metric, place or priority named on the command line), or a
``--fail-on`` hit; 2 a usage error (an unknown command or option, a malformed or missing
argument). Data goes to stdout, messages to stderr.
Commands raise `LscError` (or its subclasses) for what stops them; `LscCommands.invoke` is
the one place that turns one, or an OS error, into messages and an exit code.
Heavy modules (rich tables, pydantic models, YAML, charts) are imported inside the
commands that need them, so ``lsc --help`` stays fast.
"""

from __future__ import annotations

import errno
import os
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from . import __version__
from .completion import complete_metric, complete_place, complete_priority
from .problems import (
    MAX_PROBLEMS_BEFORE_ERROR,
    LscError,
    NotFound,
    Problem,
    UsageError,
    did_you_mean,
    format_problems,
)

if TYPE_CHECKING:
    from rich.console import Console

    from .actuals import Appended
    from .asknown import KnownTime
    from .models import Actual, Metric
    from .plan import Plan
    from .status import MetricStatus, PlaceStatus, StatusReport


def example(command: str) -> str:
    """A command's help ends with an example that runs (tests/test_docs.py runs each one)."""
    return f"\b\nExample: {command}"  # \b: click keeps the line as it is (no rewrapping)


class LscCommands(TyperGroup):
    """The ``lsc`` commands, with the one place their errors become output and an exit code."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:  # lsc --help | head: the help is printed while the arguments are parsed
            return super().make_context(*args, **kwargs)
        except OSError as error:
            if error.errno == errno.EPIPE:
                _closed_pipe()
            raise

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Each command also takes ``--data DIR`` after its name (``lsc status --data d``),
        as the one before it does; given there, it wins."""
        command = super().get_command(ctx, cmd_name)
        if (
            command is not None
            and cmd_name in _PAGED_COMMANDS
            and all(param.name != "no_pager_after" for param in command.params)
        ):
            command.params.append(_no_pager_after_option(self))
        if command is None or cmd_name in _NO_DATA_COMMANDS:
            return command
        if not any(param.name == "data_after" for param in command.params):
            command.params.append(_data_after_option(self))
        return command

    # typer declares the base's argument as its vendored click Context; it always passes its
    # own subclass, typer.Context, which is what settings() reads.
    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except LscError as error:
            _exit_with(error, settings(ctx))
        except OSError as error:  # a file the command needs went away or cannot be read
            if error.errno == errno.EPIPE:
                _closed_pipe()
            reason = f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")
            _exit_with(LscError(reason), settings(ctx))


_NO_DATA_COMMANDS = frozenset({"init"})
"""Commands that read no data directory (`lsc init DIR` names its own)."""


def _data_after_option(group: TyperGroup) -> Any:
    """The global ``--data`` option as one a command takes after its name: no environment
    variable or default of its own (those stay the global option's), and not passed to the
    command's function; when given, it sets the data directory every command reads."""
    import copy

    global_data = next(param for param in group.params if param.name == "data")
    option: Any = copy.copy(global_data)
    option.name = "data_after"
    option.envvar = None
    option.default = None
    option.show_default = False
    option.show_envvar = False
    option.expose_value = False
    option.help = "The plan's directory, as 'lsc --data DIR COMMAND' (overrides it)."

    def given_after(ctx: Any, _param: object, value: Path | None) -> Path | None:
        if value is not None:  # the Settings every context of this run shares
            where = ctx.find_object(Settings)
            if where is None:
                ctx.obj = where = Settings(data_dir=Path(value))
            where.data_dir, where.data_from = Path(value), "--data"
        return value

    option.callback = given_after
    return option


_PAGED_COMMANDS = frozenset({"check", "status", "history", "spc", "show", "list"})
"""Commands whose long output on a terminal goes through the pager (`pager`)."""


def _no_pager_after_option(group: TyperGroup) -> Any:
    """``--no-pager`` after the command's name, as before it (``lsc status --no-pager``)."""
    import copy

    option: Any = copy.copy(next(param for param in group.params if param.name == "no_pager"))
    option.name = "no_pager_after"
    option.expose_value = False
    option.help = "As 'lsc --no-pager COMMAND'."

    def given_after(ctx: Any, _param: object, value: bool) -> bool:
        where = ctx.find_object(Settings)
        if value and where is not None:
            where.pager = False
        return value

    option.callback = given_after
    return option


def _paging(ctx: typer.Context, wanted: bool = True) -> AbstractContextManager[None]:
    """Long output on a terminal goes through the pager (`pager.paging`), unless --no-pager."""
    from .pager import paging

    return paging(enabled=wanted and settings(ctx).pager)


CLOSED_PIPE = 141
"""The exit code when stdout's reader went away (lsc status | head): 128 + SIGPIPE, as git
and any program the shell kills with SIGPIPE; never 1, which means a problem in the data."""


def _closed_pipe() -> NoReturn:
    """End quietly with `CLOSED_PIPE`: what is still buffered for stdout goes to /dev/null
    (else Python's flush at exit reports the broken pipe again)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (a test's runner)
        pass
    raise typer.Exit(CLOSED_PIPE)


def _exit_with(error: LscError, where: Settings) -> NoReturn:
    """Print the problems the error lists (stderr), then ``error: message``, and exit with
    its code. When all that is wrong is a missing data directory, say only what to do."""
    missing = _missing_data_dir(where, error.problems)
    if missing is None and error.listed:
        typer.echo(format_problems(error.listed, "text"), err=True)
    typer.echo(f"error: {missing or error}", err=True)
    raise typer.Exit(error.exit_code)


app = typer.Typer(
    name="lsc",
    cls=LscCommands,
    help="Track the Lancashire and South Cumbria ICS plan: priorities, measures, milestones.",
    epilog=example("lsc check && lsc status"),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Settings:
    """Options given before the command, shared by every command."""

    data_dir: Path
    data_from: str = "--data"  # where data_dir came from: "--data", "LSC_DATA" or "default"
    pager: bool = True  # False with --no-pager (before or after the command)

    def data_dir_named(self) -> str:
        """The data directory as a message names it, with where it came from unless --data."""
        origin = {"LSC_DATA": " (from LSC_DATA)", "default": " (the default)"}
        return f"{self.data_dir}{origin.get(self.data_from, '')}"


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
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Print long output straight out (else, on a terminal, through $LSC_PAGER, "
            "$PAGER or less -FRX).",
        ),
    ] = False,
) -> None:
    """Track the Lancashire and South Cumbria ICS plan: priorities, measures, milestones."""
    source = ctx.get_parameter_source("data")
    origin = {"ENVIRONMENT": "LSC_DATA", "DEFAULT": "default"}
    ctx.obj = Settings(data_dir=data, data_from=origin.get(getattr(source, "name", ""), "--data"))
    ctx.obj.pager = not no_pager


# --- shared helpers -----------------------------------------------------------------------


def settings(ctx: typer.Context) -> Settings:
    found = ctx.find_object(Settings)
    if found is not None:
        return found
    env = os.environ.get("LSC_DATA")
    return Settings(Path(env), "LSC_DATA") if env else Settings(Path("data"), "default")


_ENTRY_RULES = frozenset(
    {"duplicate-actual", "future-actual", "actual-value", "actual-place", "unknown-metric"}
)
"""Problems of whole, readable log entries that do not fit the plan (checks.check_actuals
and check_duplicate_actuals): `history` still lists the entries."""


def load_valid_plan(
    ctx: typer.Context,
    *,
    today: date | None = None,
    readable_is_enough: bool = False,
    as_known: KnownTime | None = None,
) -> Plan:
    """Load the plan, or list its problems on stderr and exit 1 (run `lsc check` for all).

    ``readable_is_enough`` (for `history`, which is how one investigates a problem such as
    a duplicate entry): go on with a warning when every problem is one of the log's entries
    not fitting the plan (`_ENTRY_RULES`), and fail when a file could not be read whole.
    ``as_known``: the plan as known then (`provenance`; ``today`` is then its date), said
    on stderr; duplicate entries (settled by a correction recorded later, or recorded in
    two clones merged later) are then a warning, not an error.
    """
    from .loader import load

    if as_known is not None:
        from .provenance import load_as_known

        now = datetime.now(UTC)
        plan, problems = load_as_known(settings(ctx).data_dir, as_known, now=now)
    else:
        plan, problems = load(settings(ctx).data_dir, today=today)
    if problems:
        shown = problems[:MAX_PROBLEMS_BEFORE_ERROR]
        more = f" (showing {len(shown)})" if len(problems) > len(shown) else ""
        found = f"the data has {_count(len(problems), 'problem')}{more}"
        if as_known is not None:
            found = f"the data as known on {as_known.text()} has {_count(len(problems), 'problem')}"
            found += more
        if readable_is_enough and all(p.rule in _ENTRY_RULES for p in problems):
            typer.echo(format_problems(shown, "text"), err=True)
            typer.echo(f"warning: {found}; showing the entries that loaded", err=True)
            return plan
        if as_known is None or any(p.rule != "duplicate-actual" for p in problems):
            raise LscError(f"{found}; run 'lsc check' for the list", shown)
        from .words import AS_KNOWN_DUPLICATES

        typer.echo(format_problems(shown, "text"), err=True)
        _note(f"warning: {found}: {AS_KNOWN_DUPLICATES}")
    if plan.as_known is not None:
        from .words import as_known_text, no_git_warning

        _note(as_known_text(plan.as_known))
        if plan.as_known.commit is None:
            _note(f"warning: {no_git_warning(plan.as_known.entries_without_time)}")
    return plan


def _no_data_dir(where: Settings) -> str:
    """The message for a data directory that is missing or is a file: what to do about it."""
    data_dir = where.data_dir
    reason = "is not a directory" if data_dir.exists() else "does not exist"
    hint = "give --data DIR or set LSC_DATA=DIR"
    if not data_dir.exists():
        import shlex

        hint += f", or start a new plan there with: lsc init {shlex.quote(str(data_dir))}"
    return f"data directory {where.data_dir_named()} {reason}: {hint}"


def _require_data_dir(where: Settings) -> None:
    """Before recording: a data directory that is missing or a file is refused (exit 1)."""
    if not where.data_dir.is_dir():
        raise LscError(_no_data_dir(where))


def _missing_data_dir(where: Settings, problems: list[Problem]) -> str | None:
    """When the only problem is that the data directory is not there: what to do about it."""
    only = problems[0] if len(problems) == 1 else None
    if only and only.source.path == str(where.data_dir) and not where.data_dir.is_dir():
        return _no_data_dir(where)
    return None


def _note(message: str) -> None:
    """A message the user must hear even if the command then fails (stderr, at once)."""
    typer.echo(message, err=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


AS_OF_RANGE = (date(1900, 1, 1), date(2199, 12, 31))
"""The dates --as-of accepts: any plan's, with room. A date at an end of the calendar
(0001-01-01, 9999-12-31) is a slip, and date arithmetic near those ends overflows."""


def parse_date_option(text: str | None, option: str) -> date | None:
    """Parse an ISO date option; a malformed one, or one outside `AS_OF_RANGE`, is a usage
    error (exit 2)."""
    if text is None:
        return None
    from .models import parse_iso_date

    try:
        day = parse_iso_date(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None
    first, last = AS_OF_RANGE
    if not first <= day <= last:
        raise typer.BadParameter(
            f"{day} is outside the dates this tool assesses ({first} to {last})",
            param_hint=option,
        )
    return day


_AS_KNOWN_HELP = (
    "As it could have been produced then: the plan files at the last git commit by then, and "
    "only the entries recorded (or committed) by then. A date is the end of that day, UTC; "
    "a time is UTC unless it has +HH:MM. --as-of defaults to its date."
)
AsKnownOption = Annotated[
    str | None, typer.Option("--as-known", metavar="YYYY-MM-DD[THH:MM]", help=_AS_KNOWN_HELP)
]


def as_of_and_known(as_of: str | None, as_known: str | None) -> tuple[date, KnownTime | None]:
    """``--as-of`` and ``--as-known`` together: the date to assess, defaulting to the
    --as-known moment's date, else today; and the moment (None without --as-known)."""
    known = parse_as_known(as_known)
    day = parse_date_option(as_of, "--as-of") or (known.day if known else date.today())
    return day, known


def parse_as_known(text: str | None) -> KnownTime | None:
    """``--as-known``: a malformed moment is a usage error (exit 2)."""
    if text is None:
        return None
    from .asknown import parse_known_time

    try:
        moment = parse_known_time(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as-known") from None
    first, last = AS_OF_RANGE
    if not first <= moment.day <= last:
        raise typer.BadParameter(
            f"{moment.day} is outside the dates this tool assesses ({first} to {last})",
            param_hint="--as-known",
        )
    return moment


# --- output files -------------------------------------------------------------------------


# --- check --------------------------------------------------------------------------------


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    gitlab = "gitlab"


@app.command(epilog=example("lsc check --format github"))
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
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="REV",
            help="Also compare metrics.yaml with git revision REV: due, targets and baseline "
            "change by revision only (docs/ci.md).",
        ),
    ] = None,
) -> None:
    """Validate the data files; list every problem as file:line:column.

    Exits 0 when the data is valid, 1 when it is not; 2 when --base cannot be read (no git,
    not a git repository, an unknown revision).
    """
    from .loader import load

    where = settings(ctx)
    data_dir = where.data_dir
    if base is not None:
        from .governance import compare_plan, read_base
        from .loader import sort_problems

        at_base = read_base(data_dir, base)  # exit 2 before reading data when git cannot answer
    plan, problems = load(data_dir, today=date.today())
    if base is not None and at_base is not None:
        problems = sort_problems([*problems, *compare_plan(at_base, plan.documents)])
    output = format_problems(problems, fmt.value)
    if output:
        with _paging(ctx, fmt is CheckFormat.text):
            typer.echo(output)
    if not quiet:
        if problems:
            files = len({p.source.path for p in problems})
            typer.echo(f"{_count(len(problems), 'problem')} in {_count(files, 'file')}", err=True)
            missing = _missing_data_dir(where, problems)
            if missing:
                typer.echo(f"error: {missing}", err=True)
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
            if plan.updates:  # an owner updates log (lsc update) is there to count
                summary += f", {_count(len(plan.updates), 'owner update')}"
            since = (
                f"; no commitment changed since {base} other than by revision"
                if base is not None
                else ""
            )
            typer.echo(f"{data_dir}: valid ({summary}){since}", err=True)
    raise typer.Exit(1 if problems else 0)


# --- schema and init ------------------------------------------------------------------------


@app.command(epilog=example("lsc schema --output schemas"))
def schema(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Directory to write the schemas into. [default: where the data files' "
            "$schema lines point (schemas beside data/; DIR/schemas for a plan from lsc init), "
            "else DIR/schemas for --data DIR or LSC_DATA, else ./schemas]",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not list the files.")] = False,
) -> None:
    """Write a JSON Schema for each data file, for editors' completion and squiggles."""
    from . import outputs
    from .schema import SCHEMA_MODELS, schema_dir_for, schema_text

    where = settings(ctx)
    data_dir = where.data_dir
    if output is None:
        fallback = Path("schemas") if where.data_from == "default" else data_dir / "schemas"
        output = schema_dir_for(data_dir) or fallback
    if output.exists() and not output.is_dir():
        raise UsageError(
            f"--output {output} is not a directory: give the directory for the schemas"
        )
    written = [output / f"{name}.schema.json" for name in SCHEMA_MODELS]
    for path in written:  # each is checked before any is written
        outputs.refuse_unsafe_output(str(path), data_dir)
    try:
        output.mkdir(parents=True, exist_ok=True)
        for name, path in zip(SCHEMA_MODELS, written, strict=True):
            outputs.write_output(str(path), schema_text(name).encode("utf-8"))
    except OSError as error:
        raise LscError(f"cannot write to {output}: {error.strerror or error}") from None
    if not quiet:
        for path in written:
            typer.echo(f"wrote {path}", err=True)


@app.command(epilog=example("lsc init my-plan && lsc --data my-plan check"))
def init(
    directory: Annotated[Path, typer.Argument(help="Directory for the new plan's files.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not list the files.")] = False,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Instead: the synthetic demo plan (every file says so), with three years of "
            "monthly figures and owner updates, to try every command on.",
        ),
    ] = False,
) -> None:
    """Start a new, empty plan: commented example files that pass `lsc check`, their JSON
    Schemas in DIRECTORY/schemas, and a .gitignore for the files `lsc record` keeps beside
    the log. With --demo, the synthetic demo plan instead (read it as of 2024-03-31).

    Refuses, writing nothing, when any of those files already exists.
    """
    from .starter import DEMO_AS_OF, init_plan

    written = init_plan(directory, demo=demo)
    if not quiet:
        for path in written:
            typer.echo(f"wrote {path}", err=True)
        if demo:
            typer.echo(
                f"next: lsc --data {directory} status --as-of {DEMO_AS_OF} --exceptions "
                "--since 2024-02-29",
                err=True,
            )
            return
        typer.echo(
            f"next: edit {directory}/priorities.yaml, then: lsc --data {directory} check", err=True
        )


# --- status -------------------------------------------------------------------------------


class PlanChoice(StrEnum):
    current = "current"
    original = "original"


PlanOption = Annotated[
    PlanChoice,
    typer.Option(
        "--plan",
        help="Judge against the plan in force on the date (current: every revision decided "
        "by then applied) or as first written (original), so a board can see both.",
    ),
]


class StatusFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    xlsx = "xlsx"


_STATUS_NAMES = (
    "overdue, off_track, at_risk, no_baseline, no_data, on_track, achieved, no_target, withdrawn"
)

# Options that status and report (and others) share, each written once.
MetricArgument = Annotated[
    str,
    typer.Argument(
        metavar="METRIC",
        autocompletion=complete_metric,
        help="The metric's id, as in metrics.yaml.",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Assess as of this date; actuals after it are ignored. [default: today, or the "
        "--as-known date]",
    ),
]
PriorityOption = Annotated[
    list[str] | None,
    typer.Option(
        "--priority",
        "-p",
        autocompletion=complete_priority,
        metavar="P3[,P5]",
        help="Only these priorities (repeat the option or separate with commas).",
    ),
]
StatusListOption = Annotated[
    str | None,
    typer.Option(
        "--status",
        metavar="LIST",
        help=f"Only metrics and place rows with these statuses: {_STATUS_NAMES}.",
    ),
]
ExceptionsOption = Annotated[
    bool,
    typer.Option(
        "--exceptions",
        help="Only what needs the board's attention (overdue, off track, at risk, no "
        "baseline, declared better, a trend that misses), one row per metric.",
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="YYYY-MM-DD",
        help="Each status on this date (before --as-of) beside today's, and what moved.",
    ),
]


@app.command(
    epilog=example("lsc status --as-of 2021-03-31 --status overdue,off_track --format markdown")
)
def status(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    priority: PriorityOption = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            autocompletion=complete_place,
            metavar="PLACE",
            help="Only metrics tracked at this place, with that place's status.",
        ),
    ] = None,
    only: StatusListOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="LIST",
            help="Exit 1 when any row shown has one of these statuses (for CI and schedulers); "
            "declared_better: an owner's rating better than the measured status.",
        ),
    ] = None,
    fmt: Annotated[
        StatusFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table (colour on a terminal), json, csv, markdown, xlsx (needs --output). "
            "[default: from the --output FILE's suffix (.xlsx, .csv, .json, .md or "
            ".markdown), else table]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to FILE instead of stdout (required for xlsx).",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No 'status written to FILE' line (errors and the --fail-on line still show).",
        ),
    ] = False,
    missing: Annotated[
        bool,
        typer.Option(
            "--missing",
            help="Instead: the values still outstanding for --period (who to chase), as a "
            "table, or json or csv with --format.",
        ),
    ] = False,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", metavar="PERIOD", help="With --missing: 2020-06, '2020/21 Q1', 2020/21."
        ),
    ] = None,
    plan_choice: PlanOption = PlanChoice.current,
    as_known: AsKnownOption = None,
    exceptions: ExceptionsOption = False,
    since: SinceOption = None,
) -> None:
    """Show where each metric stands: on track, at risk, off track, overdue or achieved.

    One section per priority with its roll-up, one row per metric and per place; the
    rules are in docs/status-rules.md. Exits 0, or 1 on a --fail-on hit, an unknown
    priority or place, or invalid data.
    """
    from . import outputs
    from . import status as engine

    if missing or period is not None:
        if exceptions or since is not None:
            raise UsageError(
                "--missing lists outstanding values: leave out --exceptions and --since"
            )
        if as_known is not None:
            raise UsageError("--missing lists what is outstanding now: leave out --as-known")
        _status_missing(ctx, period, priority, place, fmt, output=output, quiet=quiet)
        return
    fmt = _status_format(fmt, output)
    day, known = as_of_and_known(as_of, as_known)
    since_day = _since_option(since, day)
    if output not in (None, "-"):
        outputs.refuse_unsafe_output(output, settings(ctx).data_dir)
    shown_statuses = _status_list(only, "--status")
    failing_statuses, fail_declared = _fail_on_list(fail_on)
    plan = load_valid_plan(ctx, today=date.today(), as_known=known)

    priorities = [p.strip() for text in priority or [] for p in text.split(",") if p.strip()]
    for pid in priorities:
        _known(pid, list(plan.priority_by_id), "priority")
    if place is not None:
        _known(place, list(plan.place_by_id), "place")

    from .spc_inputs import assess_with_spc

    assessed = assess_with_spc(plan, day, original=plan_choice is PlanChoice.original)
    report = engine.select(assessed, priorities=priorities, place=place, statuses=shown_statuses)
    shown = report  # --fail-on looks at the rows it always did: --exceptions and --since aside
    if exceptions:
        from .exceptions import only_exceptions

        in_view = engine.select(assessed, priorities=priorities, place=place)
        shown = only_exceptions(in_view, shown_statuses)
    if since_day is not None:
        from .changes import since as compared_since

        shown = compared_since(plan, shown, since_day)
    with _paging(ctx, fmt is StatusFormat.table and output in (None, "-")):
        _write_status(shown, fmt, output, quiet=quiet)
    if failing_statuses or fail_declared:
        from .updates import declared_better_rows

        hits = engine.rows_with(report, failing_statuses) if failing_statuses else []
        better = declared_better_rows(report.metrics) if fail_declared else []
        if hits and not better:
            typer.echo(f"status: {_failing(hits)}", err=True)
            raise typer.Exit(1)
        if hits or better:
            counts = engine.count_statuses(p.status if p else m.status for m, p in hits)
            said = [f"{n} {s}" for s, n in counts.items()]
            said += [f"{len(better)} declared_better"] if better else []
            found = len({(id(m), id(p)) for m, p in [*hits, *better]})
            typer.echo(f"status: failing on {_count(found, 'row')} ({', '.join(said)})", err=True)
            raise typer.Exit(1)


def _since_option(text: str | None, as_of: date) -> date | None:
    """``--since``: a date as ``--as-of`` takes one, before the as-of date (else exit 2)."""
    day = parse_date_option(text, "--since")
    if day is None:
        return None
    from .changes import check_since

    refusal = check_since(day, as_of)
    if refusal:
        raise UsageError(refusal)
    return day


def _fail_on_list(text: str | None) -> tuple[tuple[str, ...], bool]:
    """``--fail-on``: the statuses listed, and whether ``declared_better`` is (an owner's
    rating better than the measured status: `updates.mismatch`)."""
    if text is None:
        return (), False
    parts = [part for part in text.split(",") if part.strip()]
    declared = [p for p in parts if p.strip().lower().replace("-", "_") == "declared_better"]
    rest = ",".join(p for p in parts if p not in declared)
    return (_status_list(rest, "--fail-on") if rest or not declared else ()), bool(declared)


def _status_missing(
    ctx: typer.Context,
    period: str | None,
    priority: list[str] | None,
    place: str | None,
    fmt: StatusFormat | None,
    *,
    output: str | None,
    quiet: bool,
) -> None:
    """``lsc status --missing --period P``: the values the period expects that the log does
    not hold yet, with who owns each (`return_forms.expected`)."""
    if period is None:
        raise UsageError("--missing needs --period: the period to list outstanding values for")
    if output is not None:
        raise UsageError("--missing prints to stdout: leave out --output (redirect it instead)")
    chosen = fmt or StatusFormat.table
    if chosen not in (StatusFormat.table, StatusFormat.json, StatusFormat.csv):
        raise UsageError("--missing prints a table, json or csv: choose one of those --format")
    day = _period_option(period)
    from . import return_forms

    plan = load_valid_plan(ctx, today=date.today())
    priorities = _known_priorities_and_place(plan, priority, place)
    found = return_forms.expected(plan, day, priorities=priorities, place=place)
    outstanding = [e for e in found if not e.recorded]
    confirm = return_forms.to_confirm(plan, day, priorities=priorities, place=place)
    text = return_forms.missing_text(outstanding, found, day, chosen.value, confirm, plan)
    typer.echo(text, nl=False)


def _failing(hits: list[tuple[MetricStatus, PlaceStatus | None]]) -> str:
    """The ``--fail-on`` line: metrics (by their own status) and place rows counted apart."""
    from .status import count_statuses
    from .words import failing_text

    metrics = count_statuses(metric.status for metric, place in hits if place is None)
    places = count_statuses(place.status for _, place in hits if place is not None)
    return failing_text(metrics, places)


_SUFFIX_FORMATS = {
    ".xlsx": StatusFormat.xlsx,
    ".csv": StatusFormat.csv,
    ".json": StatusFormat.json,
    ".md": StatusFormat.markdown,
    ".markdown": StatusFormat.markdown,
}


def _status_format(fmt: StatusFormat | None, output: str | None) -> StatusFormat:
    """--format, else the one --output FILE's suffix names, else table. A workbook must go to a
    FILE.xlsx and text must not: a clear mismatch is a usage error (exit 2)."""
    to_file = output not in (None, "-")
    suffix = Path(output).suffix.lower() if output and to_file else ""
    if fmt is None:
        return _SUFFIX_FORMATS.get(suffix, StatusFormat.table)
    if fmt is StatusFormat.xlsx and not to_file:
        raise UsageError("--format xlsx writes a binary workbook: give --output FILE.xlsx")
    if fmt is StatusFormat.xlsx and suffix != ".xlsx":
        raise UsageError(
            f"--format xlsx writes an Excel workbook, but {output} does not end in .xlsx: "
            "name the file FILE.xlsx"
        )
    if fmt is not StatusFormat.xlsx and suffix == ".xlsx":
        raise UsageError(
            f"--format {fmt.value} writes text, but {output} ends in .xlsx: give --format xlsx "
            "for a workbook (or leave --format out), or another file name for text"
        )
    return fmt


def _write_status(
    report: StatusReport, fmt: StatusFormat, output: str | None, *, quiet: bool = False
) -> None:
    """The report to stdout, or to --output FILE (an xlsx workbook always goes to a file)."""
    from . import outputs
    from .renderers import render_status

    if output in (None, "-"):
        render_status(fmt.value, report, sys.stdout)  # _status_format refused xlsx here
        return
    path = Path(output)
    data = render_status(fmt.value, report)
    assert data is not None
    try:
        outputs.write_output(output, data)
    except OSError as error:
        raise LscError(f"cannot write {output}: {error.strerror or error}") from None
    if not quiet:
        typer.echo(f"status written to {path}", err=True)


def _known_priorities_and_place(
    plan: Plan, priority: list[str] | None, place: str | None
) -> tuple[str, ...]:
    """The --priority ids given (repeated or comma-separated), each known to the plan, as is
    --place: what a return form and --missing select by."""
    priorities = tuple(p.strip() for text in priority or [] for p in text.split(",") if p.strip())
    for pid in priorities:
        _known(pid, list(plan.priority_by_id), "priority")
    if place is not None:
        _known(place, list(plan.place_by_id), "place")
    return priorities


def _known(value: str, choices: list[str], noun: str) -> None:
    """An id the plan does not have is a data lookup that failed (exit 1, as in `lsc record`),
    with a hint or the choices."""
    if value in choices:
        return
    if noun == "metric":  # too many to list here: where to see them (`listing.unknown_hint`)
        from .listing import unknown_hint

        hint = unknown_hint(value, choices, "metrics")
    else:
        hint = did_you_mean(value, choices) or f"; choose from {', '.join(choices)}"
    raise NotFound(f"unknown {noun} {value!r}{hint}")


def _status_list(text: str | None, option: str) -> tuple[str, ...]:
    """A comma-separated list of status names; an unknown one is a usage error (exit 2)."""
    if text is None:
        return ()
    from .status import parse_statuses

    try:
        return parse_statuses(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


# --- list -------------------------------------------------------------------------------


class ListKind(StrEnum):
    metrics = "metrics"
    places = "places"
    priorities = "priorities"


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command("list", epilog=example("lsc list metrics --format csv"))
def list_command(
    ctx: typer.Context,
    what: Annotated[
        ListKind | None,
        typer.Argument(help="What to list. [default: all three]", show_default=False),
    ] = None,
    fmt: Annotated[
        ListFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json, or csv (of one kind). [default: from the --output FILE's "
            "suffix (.json, .csv), else table]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the list to FILE."),
    ] = None,
    priority: Annotated[
        list[str] | None,
        typer.Option(
            "--priority",
            "-p",
            autocompletion=complete_priority,
            metavar="P3[,P5]",
            help="Only these priorities and their metrics (repeat or separate with commas).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No 'list written to FILE' line.")
    ] = False,
) -> None:
    """List the plan's metrics, places and priorities with their ids, to give to record,
    show, history, --place and --priority: a metric's name, priority, kind, unit, cadence,
    places and owner; a place's name, parent and population; a priority's title, owner and
    how many metrics it has.
    """
    from . import outputs
    from .listing import KINDS, listing
    from .renderers import listing as listing_view

    to_file = output not in (None, "-")
    if fmt is None:
        suffix = Path(output).suffix.lower() if output and to_file else ""
        fmt = {".json": ListFormat.json, ".csv": ListFormat.csv}.get(suffix, ListFormat.table)
    if fmt is ListFormat.csv and what is None:
        raise UsageError("--format csv lists one kind: lsc list metrics (or places, priorities)")
    if output is not None and to_file:
        outputs.refuse_unsafe_output(output, settings(ctx).data_dir)
    plan = load_valid_plan(ctx, today=date.today(), readable_is_enough=True)
    chosen = _known_priorities_and_place(plan, priority, None)
    found = [listing(plan, kind, chosen) for kind in ([what.value] if what else KINDS)]
    if fmt is ListFormat.table and not to_file:
        with _paging(ctx):
            listing_view.render_listing(_console(), found)
        return
    if fmt is ListFormat.json:
        text = listing_view.listing_json(found)
    elif fmt is ListFormat.csv:
        text = listing_view.listing_csv(found[0])
    else:
        import io

        from .renderers.rich_text import PipeConsole

        buffer = io.StringIO()
        listing_view.render_listing(PipeConsole(file=buffer, highlight=False), found)
        text = buffer.getvalue()
    if output is None or not to_file:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        outputs.write_output(output, text.encode("utf-8"))
    except OSError as error:
        raise LscError(f"cannot write {output}: {error.strerror or error}") from None
    if not quiet:
        typer.echo(f"list written to {output}", err=True)


# --- record, import, history ----------------------------------------------------------------


def _recorder(by: str | None) -> str:
    """Who is recording: --by, else $LSC_USER, else the login name, else 'unknown'."""
    if by is not None:
        if not by.strip():
            raise UsageError(
                "--by needs a name (leave --by out to use $LSC_USER or the login name)"
            )
        return by
    name = os.environ.get("LSC_USER", "").strip()
    if name:
        return name
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError):
        return "unknown"


# A negative VALUE (-3.5) must not be taken for an option: unknown options reach the command,
# which refuses any that is not a number.
@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    epilog=example(
        'lsc record mh-inpatient-bed-waits-over-12h 3 --date 2020-01-31 --note "January return"'
    ),
)
def record(
    ctx: typer.Context,
    metric: MetricArgument,
    value: Annotated[
        str | None,
        typer.Argument(
            metavar="VALUE",
            help="A number (101,000 and, for a metric in %, 29.2% are fine), "
            "or done for a milestone (none with --void).",
            show_default=False,
        ),
    ] = None,
    when: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="The date or period the value is for: YYYY-MM-DD, a month YYYY-MM, a "
            "financial year 2020/21 or quarter '2020/21 Q1' (its last day). [default: for a "
            "metric with a cadence, the end of the latest complete period; else today]",
        ),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            autocompletion=complete_place,
            help="The place, for a metric tracked by place.",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Any text to keep with it.")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who records it (default: $LSC_USER, else your login name)."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Correct the value already recorded for this metric, place and date "
            "(the earlier entry stays in the log).",
        ),
    ] = False,
    void: Annotated[
        bool,
        typer.Option(
            "--void",
            help="Withdraw every entry recorded for this metric, place and --date (no VALUE; "
            "give --reason). The log keeps them; the status ignores them.",
        ),
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="With --void: why the entries are withdrawn.")
    ] = None,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="Record a percentage at or below 1% even when every value so far is above 1% "
            "(else refused as a fraction typed for a percentage: 0.045 for 4.5%).",
        ),
    ] = False,
    provisional: Annotated[
        bool,
        typer.Option(
            "--provisional",
            help="Mark the value provisional, to be confirmed: the final figure for the same "
            "metric, place and date, recorded later without --provisional, replaces it "
            "(no --replace needed).",
        ),
    ] = False,
    source: Annotated[
        str | None,
        typer.Option("--source", metavar="TEXT", help="The system the figure came from."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing on success (errors still show).")
    ] = False,
) -> None:
    """Record a metric's value for a date: append one entry to actuals.yaml.

    Prints the entry as written and the metric's new status. Refuses, writing nothing, an
    unknown metric or place, a value that does not fit the metric, a future date, or a
    second value for the same metric, place and date without --replace. With --void (and
    --date, --reason, no VALUE) it withdraws what was recorded for that metric, place and
    date instead.
    """
    from functools import partial

    from . import actuals, recording
    from .renderers.status_line import status_line
    from .status import assess_metric

    if ctx.args:
        _record_extra_arguments(ctx.args, metric, value or "")
    _record_options(value, void=void, reason=reason, replace=replace, note=note, when=when)
    if void and (provisional or source is not None):
        raise UsageError("--void withdraws a value: it takes no --provisional or --source")
    _require_data_dir(settings(ctx))
    today = date.today()
    if void:
        given = recording.EntryInput(metric, "", when, place, reason, _recorder(by))
        make = partial(recording.void_entries, given=given, today=today, recorded=datetime.now(UTC))
    else:
        given = recording.EntryInput(
            metric, value or "", when, place, note, _recorder(by), provisional, source
        )
        make = partial(
            recording.record_entries,
            given=given,
            today=today,
            recorded=datetime.now(UTC),
            replace=replace,
            confirm=confirm,
        )
    result = actuals.append_entries(settings(ctx).data_dir, make, today=today, notify=_note)
    entry = result.entries[0]
    if not void:
        _period_notes(result.plan, result.entries, defaulted=when is None, quiet=quiet)
    if quiet:
        return
    typer.echo(result.lines[0])
    metric_status = assess_metric(result.plan.metric_by_id[entry.metric], result.actuals, today)
    typer.echo(status_line(metric_status, entry.place, today))


MAX_WARNINGS = 20
"""The most warnings one command prints; the rest are counted."""


def _record_options(
    value: str | None,
    *,
    void: bool,
    reason: str | None,
    replace: bool,
    note: str | None,
    when: str | None,
) -> None:
    """VALUE for a record, --reason (and --date) for a void, never both (exit 2)."""
    if void:
        if value is not None:
            raise UsageError(
                f"--void withdraws what was recorded, so it takes no VALUE (got {value!r}): "
                "leave it out, and record the right value afterwards if there is one"
            )
        if replace:
            raise UsageError("--void and --replace do not go together: --void withdraws")
        if note is not None:
            raise UsageError("--void takes --reason TEXT, not --note")
        if reason is None or not reason.strip():
            raise UsageError("--void needs --reason TEXT: why the entries are withdrawn")
        if when is None:
            raise UsageError("--void needs --date: the date of the entries to withdraw")
        return
    if reason is not None:
        raise UsageError("--reason goes with --void; to keep text with a value, use --note")
    if value is None:
        raise UsageError("missing VALUE: lsc record METRIC VALUE (or METRIC --void ...)")


def _period_notes(
    plan: Plan, entries: list[Actual], *, defaulted: bool = False, quiet: bool = False
) -> None:
    """On stderr: the period each entry is for (record; unless quiet), and a warning for a
    date that ends no period of its metric's cadence (always)."""
    from .periods import off_period_warning, period_name

    warned = 0
    for entry in entries:
        cadence = plan.metric_by_id[entry.metric].cadence
        warning = off_period_warning(entry.metric, cadence, entry.date)
        if warning:
            warned += 1
            if warned <= MAX_WARNINGS:
                typer.echo(f"warning: {warning}", err=True)
        elif not quiet and (name := period_name(entry.date, cadence)):
            how = f", the latest complete {cadence} period (give --date for another)"
            typer.echo(f"recorded for {name} ({entry.date}){how if defaulted else ''}", err=True)
    if warned > MAX_WARNINGS:
        typer.echo(f"warning: {warned - MAX_WARNINGS:,} more dates end no period", err=True)


_RECORD_OPTIONS = (
    "--date",
    "--place",
    "--note",
    "--by",
    "--replace",
    "--void",
    "--reason",
    "--confirm",
    "--provisional",
    "--source",
    "--quiet",
    "-q",
)


def _record_extra_arguments(extra: list[str], metric: str, value: str) -> NoReturn:
    """Refuse what is left over after METRIC and VALUE (exit 2), saying what to do instead."""
    import shlex

    first = extra[0]
    if not first.startswith("-"):
        raise UsageError(f"unexpected extra argument {first!r}: quote text with spaces")
    if first.partition("=")[0] in _RECORD_OPTIONS:
        # click only leaves a real option unparsed when it comes after "--", which ends the
        # options: everything after it is taken as METRIC, VALUE or extra text.
        rest = " ".join(shlex.quote(arg) for arg in extra)
        raise UsageError(
            f"{first} came after '--', so it was not read as an option. A negative VALUE needs "
            f"no '--': lsc record {shlex.quote(metric)} {shlex.quote(value)} {rest} "
            f"(or put the options before '--': lsc record {shlex.quote(metric)} {rest} -- "
            f"{shlex.quote(value)})"
        )
    raise UsageError(f"no such option: {first}{did_you_mean(first, list(_RECORD_OPTIONS))}")


@app.command("import", epilog=example("lsc import examples/july-return.csv --dry-run"))
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A .csv or .xlsx file with the columns "
            "metric,date,value[,place,note,by,status,source].",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and show the entries; write nothing.")
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", help="Who records rows with no 'by' (default: $LSC_USER, else your login)."
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="A row for an entry already recorded replaces it (the earlier entry stays "
            "in the log); the dry run lists which rows replace what.",
        ),
    ] = False,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="Accept percentages at or below 1% for metrics whose values so far are all "
            "above 1% (else refused as fractions typed for percentages).",
        ),
    ] = False,
    ignore_columns: Annotated[
        str | None,
        typer.Option(
            "--ignore-columns",
            metavar="NAME,...",
            help="Leave out these extra columns (comments, say); other unknown columns are "
            "still refused.",
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            metavar="NAME",
            help="The sheet of an .xlsx workbook to read. [default: 'actuals', else the first]",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing on success (errors still show).")
    ] = False,
) -> None:
    """Import a month of figures from a CSV or Excel (.xlsx) file, all rows or none.

    The header row names the columns metric, date and value, and optionally place, note,
    by, status (provisional or final; empty is final) and source, in any order. Each row is
    checked as 'lsc record' checks a value; a row for an entry already recorded, or given
    twice, is refused (a final figure for a provisional one confirms it). If any row is
    bad, every bad row is listed as FILE:LINE: message and nothing is written. From an .xlsx
    file the sheet named "actuals" is read, else the first; a cell holding a formula is
    refused. Prints the entries written (a summary past 20) and the new status of each
    metric touched.
    """
    from functools import partial

    from . import actuals, import_files, recording

    today = date.today()
    data_dir = settings(ctx).data_dir
    _require_data_dir(settings(ctx))
    ignored = frozenset(
        name.strip().lower() for name in (ignore_columns or "").split(",") if name.strip()
    )
    required = ignored & set(recording.COLUMNS)
    if required:
        raise UsageError(
            f"--ignore-columns cannot leave out {', '.join(sorted(required))}: "
            "it is one of the columns import reads"
        )
    table = import_files.read_rows(file, sheet)
    make = partial(
        recording.import_entries,
        table=table,
        today=today,
        recorded=datetime.now(UTC),
        by=_recorder(by),
        replace=replace,
        confirm=confirm,
        ignore_columns=ignored,
    )
    result = actuals.append_entries(data_dir, make, today=today, dry_run=dry_run, notify=_note)
    _period_notes(result.plan, result.entries, quiet=True)
    count = _count(len(result.entries), "entry").replace("entrys", "entries")
    if quiet:
        return
    replacing = recording.replaced(result.plan, result.entries)
    if dry_run:
        typer.echo("\n".join(result.lines))
        for entry, old, line in replacing:
            typer.echo(f"would replace: {recording.replacement_line(entry, old, line)}", err=True)
        typer.echo(f"dry run: {count} would be recorded; nothing was written", err=True)
        return
    _print_written(result.lines)
    for entry, old, line in replacing:
        typer.echo(f"replaced: {recording.replacement_line(entry, old, line)}", err=True)
    _print_statuses(result, today)
    typer.echo(f"recorded {count} from {file} in {data_dir / 'actuals.yaml'}", err=True)


MAX_LINES_SHOWN = 20
"""An import prints the entries it wrote up to this many; past it, a summary."""


def _print_written(lines: list[str]) -> None:
    """The lines written (stdout), or the first few and how many more."""
    shown = lines if len(lines) <= MAX_LINES_SHOWN else lines[: MAX_LINES_SHOWN // 2]
    typer.echo("\n".join(shown))
    if len(shown) < len(lines):
        typer.echo(f"... and {len(lines) - len(shown):,} more entries (see 'lsc history')")


def _print_statuses(result: Appended, today: date) -> None:
    """The new status of each metric (and place) an import touched, as ``record`` prints it;
    past `MAX_LINES_SHOWN`, a count of the rest."""
    from .renderers.status_line import status_line
    from .status import assess_metric

    touched = list(dict.fromkeys((e.metric, e.place) for e in result.entries))
    grouped: dict[str, list[Actual]] = {}
    for entry in result.actuals:
        grouped.setdefault(entry.metric, []).append(entry)
    for metric_id, place in touched[:MAX_LINES_SHOWN]:
        assessed = assess_metric(result.plan.metric_by_id[metric_id], grouped[metric_id], today)
        typer.echo(status_line(assessed, place, today))
    if len(touched) > MAX_LINES_SHOWN:
        rest = len(touched) - MAX_LINES_SHOWN
        typer.echo(f"... and {rest:,} more metrics and places (see 'lsc status')")


def _period_option(text: str, option: str = "--period") -> date:
    """A period (`periods.parse_period`: 2020-06, 2020/21 Q1, 2020/21 or a day); a malformed
    one is a usage error (exit 2)."""
    from .periods import parse_period

    try:
        return parse_period(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


@app.command(
    "return-form",
    epilog=example("lsc return-form --period 2020/21 --output year-return.xlsx"),
)
def return_form(
    ctx: typer.Context,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            metavar="PERIOD",
            help="The period the figures are for: a month 2020-06, a quarter '2020/21 Q1', a "
            "financial year 2020/21 (or its last day).",
        ),
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", metavar="FILE", help="The form to write: FILE.xlsx or FILE.csv."
        ),
    ],
    priority: PriorityOption = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            autocompletion=complete_place,
            metavar="PLACE",
            help="Only rows for this place.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No 'form written to FILE' line.")
    ] = False,
) -> None:
    """Write a return form for a period: one row per metric (and place) whose cadence
    expects a value then, with metric, place and date filled in and value empty, plus
    read-only context columns (name, unit, last value, last date, target, owner).

    Send it to the people who supply the figures; 'lsc import FILE' takes it back (rows
    left without a value are skipped). 'lsc status --missing --period P' lists what is
    still outstanding.
    """
    from . import outputs, return_forms

    suffix = Path(output).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"--output {output}: a return form is FILE.xlsx or FILE.csv")
    day = _period_option(period)
    outputs.refuse_unsafe_output(output, settings(ctx).data_dir)
    plan = load_valid_plan(ctx, today=date.today())
    priorities = _known_priorities_and_place(plan, priority, place)
    found = return_forms.expected(plan, day, priorities=priorities, place=place)
    if not found:
        raise LscError(
            f"no metric expects a value for {return_forms.describe_period(day)} ({day}) "
            "with these options: a form needs metrics with a cadence (monthly, quarterly or "
            "annual) whose period ends then"
        )
    title = f"Return for {return_forms.describe_period(day)}"
    if suffix == ".xlsx":
        data = return_forms.form_xlsx(found, title)
    else:
        data = return_forms.form_csv(found)
    try:
        outputs.write_output(output, data)
    except OSError as error:
        raise LscError(f"cannot write {output}: {error.strerror or error}") from None
    if not quiet:
        rows = _count(len(found), "row")
        done = sum(e.recorded for e in found)
        already = f" ({done} already recorded)" if done else ""
        typer.echo(
            f"form written to {output}: {rows} for {return_forms.describe_period(day)}{already}",
            err=True,
        )


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command(epilog=example("lsc history mh-inpatient-bed-waits-over-12h --format csv"))
def history(
    ctx: typer.Context,
    metric: MetricArgument,
    place: Annotated[
        str | None, typer.Option("--place", autocompletion=complete_place, help="Only this place.")
    ] = None,
    fmt: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = HistoryFormat.table,
    owner_updates: Annotated[
        bool,
        typer.Option(
            "--updates",
            help="Only the owner updates (lsc update), as the --format asks; the table shows "
            "them below the entries anyway.",
        ),
    ] = False,
) -> None:
    """Show every entry recorded for a metric, in log order, with who recorded it and when,
    then the owner updates on it (lsc update).

    Entries corrected by a later one (--replace) are marked superseded: the log keeps them,
    the status uses the later one.
    """
    from . import recording
    from .renderers import history_files

    plan = load_valid_plan(ctx, readable_is_enough=True)
    if owner_updates:
        _history_updates(plan, metric, place, fmt, only=True)
        return
    rows = recording.history(plan, metric, place)
    if fmt is HistoryFormat.json:
        typer.echo(history_files.history_json(rows))
    elif fmt is HistoryFormat.csv:
        typer.echo(history_files.history_csv(rows), nl=False)
    elif not rows:
        typer.echo(f"no entries for {metric.strip()}", err=True)
    else:
        from .renderers.history_table import render_history_table

        with _paging(ctx):
            render_history_table(_console(), rows)
            _history_updates(plan, metric, place, fmt, only=False)
        return
    if fmt is HistoryFormat.table:
        _history_updates(plan, metric, place, fmt, only=False)


def _history_updates(
    plan: Plan, metric: str, place: str | None, fmt: HistoryFormat, *, only: bool
) -> None:
    """``lsc history``'s owner updates: with --updates, all it prints (in --format); in the
    table, printed after the entries, when there are any."""
    from . import updates
    from .renderers import update_history

    found = updates.updates_for(plan.updates, metric.strip(), place)
    if only:
        _metric_option(plan, metric.strip(), place)
        if fmt is HistoryFormat.json:
            typer.echo(update_history.updates_json(found))
        elif fmt is HistoryFormat.csv:
            typer.echo(update_history.updates_csv(found), nl=False)
        elif not found:
            typer.echo(f"no owner updates for {metric.strip()}", err=True)
        else:
            update_history.render_updates_table(_console(), found)
    elif found:
        update_history.render_updates_table(_console(), found)


@app.command(
    epilog=example(
        "lsc update mh-inpatient-bed-waits-over-12h --rag at_risk --date 2020-02-10 "
        '--note "Winter pressures" --action "Escalation beds" --recovery 2020-06-30'
    )
)
def update(
    ctx: typer.Context,
    metric: MetricArgument,
    rag: Annotated[
        str,
        typer.Option(
            "--rag",
            metavar="RATING",
            help="The owner's rating: on_track, at_risk, off_track or achieved.",
            show_default=False,
        ),
    ],
    note: Annotated[
        str, typer.Option("--note", help="The owner's commentary.", show_default=False)
    ],
    action: Annotated[
        str | None, typer.Option("--action", help="The recovery action, if any.")
    ] = None,
    recovery: Annotated[
        str | None,
        typer.Option(
            "--recovery",
            metavar="YYYY-MM-DD",
            help="When the action should bring the metric back on track.",
        ),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            autocompletion=complete_place,
            help="The place it is about (default: the metric as a whole).",
        ),
    ] = None,
    when: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="The update's date: YYYY-MM-DD, or a period's last day (2020-06, '2020/21 Q1', "
            "2020/21), as lsc record takes. [default: today]",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who gives it (default: $LSC_USER, else your login name)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing on success (errors still show).")
    ] = False,
) -> None:
    """Record an owner update on a metric: append one entry to updates.yaml.

    The update in force on a date is the latest dated on or before it; a later update
    supersedes an earlier one (the log keeps both). Refuses, writing nothing, an unknown
    metric or place, a future date, or a recovery date before the update's date.
    """
    from functools import partial

    from . import update_log, updates

    try:
        rating = updates.normalise_rag(rag)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--rag") from None
    day = None if when is None else _period_option(when, "--date")
    recovery_day = parse_date_option(recovery, "--recovery")
    _require_data_dir(settings(ctx))
    today = date.today()
    given = updates.UpdateInput(
        metric, rating, note, action, recovery_day, place, day, _recorder(by)
    )
    make = partial(updates.new_update, given=given, today=today, recorded=datetime.now(UTC))
    result = update_log.append_update(settings(ctx).data_dir, make, today=today, notify=_note)
    if not quiet:
        typer.echo(result.lines[0])


# --- spc, show, report (Making Data Count) ----------------------------------------------------


class SpcFormat(StrEnum):
    table = "table"
    json = "json"


def _metric_option(plan: Plan, metric_id: str, place: str | None) -> Metric:
    """The metric named on the command line, with --place checked against its places (an id
    the plan does not have, or a place the metric is not tracked at, exits 1)."""
    _known(metric_id, list(plan.metric_by_id), "metric")
    metric = plan.metric_by_id[metric_id]
    if place is not None:
        from .checks import place_problem

        problem = place_problem(metric, place)
        if problem:
            raise NotFound(problem)
    return metric


def _console() -> Console:
    from .renderers.rich_text import PipeConsole

    return PipeConsole(highlight=False)


@app.command(
    "spc",
    epilog=example("lsc --data examples/demo spc ae-four-hour --as-of 2024-03-31 --format json"),
)
def spc_command(
    ctx: typer.Context,
    metric: Annotated[
        str,
        typer.Argument(
            metavar="METRIC",
            autocompletion=complete_metric,
            help="The measure's id, as in metrics.yaml.",
        ),
    ],
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            autocompletion=complete_place,
            metavar="PLACE",
            help="The place, for a measure tracked by place.",
        ),
    ] = None,
    as_of: AsOfOption = None,
    fmt: Annotated[
        SpcFormat, typer.Option("--format", "-f", help="table or json.")
    ] = SpcFormat.table,
    as_known: AsKnownOption = None,
) -> None:
    """Show a measure's Making Data Count XmR chart as figures: mean, process limits, the
    type of each point (common cause or special cause, and the rule), and the variation
    and assurance icons. A measure tracked by place needs --place. An unknown metric or
    place, or a milestone, is refused (exit 1). With fewer than 12 points (since the latest
    rebase) it still computes them but warns that the limits are indicative only, and the
    other views give no verdict. The rules are in docs/spc.md.
    """
    from . import spc_inputs
    from .renderers.terminal_show import render_spc_table, spc_json, spc_warning

    day, known = as_of_and_known(as_of, as_known)
    plan = load_valid_plan(ctx, today=date.today(), as_known=known)
    chosen = _metric_option(plan, metric, place)
    if chosen.is_milestone:
        raise LscError(f"{chosen.id} is a milestone: SPC applies to measures only")
    if chosen.places and place is None:
        places = ", ".join(chosen.places)
        raise LscError(f"{chosen.id} is tracked by place: give --place (one of {places})")
    series = spc_inputs.metric_entries(plan, chosen, place, day)  # the log scanned once
    result = spc_inputs.metric_spc(series, chosen, place, day)
    assert result is not None  # a measure, and the place is checked
    provisional = spc_inputs.provisional_dates(series, chosen, place, day)
    if fmt is SpcFormat.json:
        typer.echo(spc_json(chosen.id, place, result, provisional))
        if spc_warning(result):
            typer.echo(f"warning: {spc_warning(result)}", err=True)
    else:
        with _paging(ctx):
            render_spc_table(_console(), chosen.name, place, chosen.unit, result, provisional)


@app.command(epilog=example("lsc --data examples/demo show ae-four-hour --as-of 2024-03-31"))
def show(
    ctx: typer.Context,
    metric: MetricArgument,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            autocompletion=complete_place,
            metavar="PLACE",
            help="One place of a metric tracked by place.",
        ),
    ] = None,
    as_of: AsOfOption = None,
    plan_choice: PlanOption = PlanChoice.current,
    as_known: AsKnownOption = None,
) -> None:
    """Show everything about one metric: its definition, targets and deadline, its status
    with the figures behind it, its recent history, a chart of the actuals against the plan
    line, and the Making Data Count verdict. For a metric tracked by place, without --place
    each place gets a summary row. An unknown metric or place is refused (exit 1).
    """
    from .metric_view import metric_view
    from .renderers.terminal_show import render_show

    day, known = as_of_and_known(as_of, as_known)
    plan = load_valid_plan(ctx, today=date.today(), as_known=known)
    chosen = _metric_option(plan, metric, place)
    original = plan_choice is PlanChoice.original
    with _paging(ctx):
        render_show(_console(), metric_view(plan, chosen, day, original=original), place)


@app.command(epilog=example("lsc report --as-of 2021-03-31 --output board-2021-03.html"))
def report(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write the HTML; '-' writes it to stdout.",
            show_default=True,
        ),
    ] = "report.html",
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing on success (errors still show).")
    ] = False,
    priority: PriorityOption = None,
    only: StatusListOption = None,
    exceptions: ExceptionsOption = False,
    since: SinceOption = None,
    plan_choice: PlanOption = PlanChoice.current,
    as_known: AsKnownOption = None,
) -> None:
    """Write the board report: one self-contained HTML file (charts inline, no network
    request when opened) with a summary by priority, the exceptions, and one section per
    metric with its Making Data Count chart and icons. Prints well on A4.

    --priority, --status, --exceptions and --since choose as they do for lsc status.
    """
    from . import outputs
    from .renderers.html_report import render_report

    day, known = as_of_and_known(as_of, as_known)
    if output != "-":
        outputs.refuse_unsafe_output(output, settings(ctx).data_dir)
        _report_suffix(output)
    since_day = _since_option(since, day)
    shown_statuses = _status_list(only, "--status")
    plan = load_valid_plan(ctx, today=date.today(), as_known=known)
    html = render_report(
        plan,
        day,
        original=plan_choice is PlanChoice.original,
        priorities=_known_priorities_and_place(plan, priority, None),
        statuses=shown_statuses,
        exceptions_only=exceptions,
        since=since_day,
    )
    if output == "-":  # the page says <meta charset="utf-8">: UTF-8, whatever stdout's encoding
        sys.stdout.flush()
        sys.stdout.buffer.write(html.encode("utf-8", "replace"))
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    try:
        outputs.write_output(output, html.encode("utf-8"))
    except OSError as error:
        raise LscError(f"cannot write {output}: {error.strerror or error}") from None
    if not quiet:
        typer.echo(f"report written to {path}", err=True)


def _report_suffix(output: str) -> None:
    """The report is HTML: a FILE named otherwise (r.pdf, r.xlsx, no suffix) would hold
    something its name does not say, so it is refused (exit 2), as status refuses a --format
    that contradicts its --output."""
    suffix = Path(output).suffix.lower()
    if suffix not in (".html", ".htm"):
        named = f"ends in {suffix}" if suffix else "has no suffix"
        raise UsageError(
            f"lsc report writes HTML, but {output} {named}: name the file FILE.html "
            "(print it to PDF from a browser; for a spreadsheet, lsc status --output FILE.xlsx)"
        )


def _register_only_the_command_given(argv: list[str]) -> None:
    """Keep only the command this process runs, when the command line names one plainly.

    Typer turns every registered command into a click command (reading each signature and
    its options) before it parses anything: for a one-command run that is wasted start-up
    (issue 17's fast start; docs/performance.md). Everything else sees every command: no
    command named, a name that is not a command (click's "No such command" and its
    suggestions), --help/--version or any other option before it, and shell completion.
    """
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return
    at = 0
    while at < len(argv):
        word = argv[at]
        if word == "--data":
            at += 2
        elif word.startswith("--data=") or word == "--no-pager":
            at += 1
        elif word.startswith("-"):
            return
        else:
            named = [
                info
                for info in app.registered_commands
                if info.callback is not None
                and (info.name or typer.main.get_command_name(info.callback.__name__)) == word
            ]
            if named:
                app.registered_commands = named
            return


def run() -> None:
    """Run the app (errors become output in `LscCommands.invoke`); an interrupt before a
    command runs is one line, not a traceback."""
    _register_only_the_command_given(sys.argv[1:])
    try:
        try:
            app()
        finally:
            sys.stdout.flush()  # a closed pipe shows here when the output fitted its buffer
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        try:
            _closed_pipe()
        except typer.Exit:
            sys.exit(CLOSED_PIPE)
