"""`lsc check --base REV`: a plan is changed by revision, not by editing history (issue 13, 5).

Each test builds a temporary git repository holding a plan, commits it, edits it (committed or
not) and runs `lsc check --base` as a user would, asserting what they see.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import METRICS, PLACES, PRIORITIES
from lsc_tracker.cli import app
from lsc_tracker.governance import canonical, compare_metrics
from lsc_tracker.models import Metric
from lsc_tracker.yamlsource import parse_yaml

runner = CliRunner()

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}

HAS_REVISIONS = "revisions" in Metric.model_fields
"""Whether the models read `revisions:` yet (another part of issue 13 adds them): until then a
plan holding one fails the ordinary check, so those tests assert only governance's verdict."""

GOVERNANCE_RULES = {"changed-without-revision", "revision-edited", "metric-deleted"}

ADVICE = "keep the original and add a revisions entry with decided, by and reason"

REVISED_MILESTONE = METRICS.replace(
    "    due: 2020-04-30\n",
    """\
    due: 2020-04-30
    revisions:
      - decided: 2020-04-15
        by: ICS Board
        reason: The national guidance on CCG mergers was delayed
        due: 2020-09-30
""",
)


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit holds the plan in data/."""
    root = tmp_path / "plan-repo"
    data = root / "data"
    data.mkdir(parents=True)
    for name, text in (("priorities", PRIORITIES), ("places", PLACES), ("metrics", METRICS)):
        (data / f"{name}.yaml").write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "the plan as published")
    return root


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def edit_metrics(root: Path, old: str, new: str) -> None:
    path = root / "data" / "metrics.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(root: Path, *args: str, base: str = "main") -> tuple[int, str, str]:
    """Run `lsc --data ROOT/data check --base BASE ARGS`: exit code, stdout, stderr."""
    data = root / "data"
    result = runner.invoke(app, ["--data", str(data), "check", "--base", base, *args])
    return result.exit_code, result.stdout, result.stderr


def governance_errors(root: Path, base: str = "main") -> list[dict[str, object]]:
    _, out, _ = check(root, "--format", "json", base=base)
    return [e for e in json.loads(out)["errors"] if e["rule"] in GOVERNANCE_RULES]


# --- silent edits fail, with what changed and how to do it properly ------------------------


def test_a_silent_deadline_edit_fails_at_the_due_key(repo: Path) -> None:
    edit_metrics(repo, "due: 2020-04-30", "due: 2020-09-30")
    code, out, err = check(repo)
    assert code == 1
    assert out.splitlines() == [
        f"{repo}/data/metrics.yaml:15:5: error: the deadline changed from 2020-04-30 to "
        f"2020-09-30 without a revision: {ADVICE} (changed-without-revision)"
    ]
    assert "1 problem in 1 file" in err


def test_a_silent_edit_is_found_when_committed_too(repo: Path) -> None:
    edit_metrics(repo, "due: 2020-04-30", "due: 2020-09-30")
    commit(repo, "move the CCG deadline")
    code, out, _ = check(repo, base="HEAD~1")
    assert code == 1 and "the deadline changed from 2020-04-30 to 2020-09-30" in out
    assert check(repo, base="HEAD")[0] == 0  # against itself: nothing changed


def test_a_silent_target_figure_edit_fails_at_the_figure(repo: Path) -> None:
    edit_metrics(repo, "change: -50%", "change: -40%")
    code, out, _ = check(repo)
    assert code == 1
    assert out.splitlines() == [
        f"{repo}/data/metrics.yaml:9:26: error: the target by 2021-03-31 changed from "
        "-50% of the baseline to -40% of the baseline without a revision: keep the original "
        "targets and add a revisions entry with decided, by, reason and targets (the whole new "
        "list) (changed-without-revision)"
    ]


def test_a_target_moved_later_added_or_removed_fails(repo: Path) -> None:
    edit_metrics(repo, "{by: 2023-03-31, change: -75%}", "{by: 2024-03-31, change: -75%}")
    (error,) = governance_errors(repo)
    assert str(error["message"]).startswith(
        "the target -75% of the baseline by 2023-03-31 changed to -75% of the baseline by "
        "2024-03-31 without a revision"
    )
    assert (error["line"], error["column"]) == (10, 10)
    edit_metrics(repo, "      - {by: 2024-03-31, change: -75%}\n", "")
    (error,) = governance_errors(repo)
    assert str(error["message"]).startswith(
        "the target -75% of the baseline by 2023-03-31 was removed without a revision"
    )
    edit_metrics(
        repo,
        "      - {by: 2021-03-31, change: -50%}\n",
        "      - {by: 2021-03-31, change: -50%}\n"
        "      - {by: 2023-03-31, change: -75%}\n"
        "      - {by: 2025-03-31, value: 10}\n",
    )
    (error,) = governance_errors(repo)
    assert str(error["message"]).startswith(
        "a target 10 by 2025-03-31 was added without a revision"
    )
    assert error["line"] == 11


def test_a_silent_baseline_edit_fails_at_the_value(repo: Path) -> None:
    edit_metrics(repo, "value: 120}", "value: 100}")
    code, out, _ = check(repo)
    assert code == 1
    assert out.splitlines() == [
        f"{repo}/data/metrics.yaml:7:34: error: the baseline changed from 120 on 2019-03-31 "
        "to 100 on 2019-03-31 without a revision: keep the original and add a revisions "
        "entry with decided, by, reason and baseline (changed-without-revision)"
    ]


def test_a_baseline_made_not_agreed_fails(repo: Path) -> None:
    edit_metrics(
        repo,
        "baseline: {date: 2019-03-31, value: 120}",
        'baseline: {note: "The plan states no baseline figure or date"}',
    )
    (error,) = governance_errors(repo)
    assert str(error["message"]).startswith(
        "the baseline changed from 120 on 2019-03-31 to not agreed without a revision"
    )


def test_a_deleted_metric_fails_at_the_metrics_key(repo: Path) -> None:
    path = repo / "data" / "metrics.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: ccg-configuration")], encoding="utf-8")
    code, out, _ = check(repo)
    assert code == 1
    assert out.splitlines() == [
        f"{repo}/data/metrics.yaml:1:1: error: metric 'ccg-configuration' was deleted (it is "
        "in metrics.yaml at main): a commitment is not removed from the plan; restore it and, "
        "to withdraw it, add a revisions entry with decided, by, reason and withdrawn: true "
        "(metric-deleted)"
    ]


def test_a_renamed_metric_is_a_deleted_one(repo: Path) -> None:
    edit_metrics(repo, "id: ccg-configuration", "id: ccg-future-configuration")
    assert [e["rule"] for e in governance_errors(repo)] == ["metric-deleted"]


# --- the same changes made as revisions pass ----------------------------------------------


def test_a_deadline_moved_by_revision_passes(repo: Path) -> None:
    (repo / "data" / "metrics.yaml").write_text(REVISED_MILESTONE, encoding="utf-8")
    assert governance_errors(repo) == []
    if HAS_REVISIONS:
        code, _, err = check(repo)
        assert code == 0, err


def test_targets_and_baseline_changed_by_revision_pass(repo: Path) -> None:
    edit_metrics(
        repo,
        "      - {by: 2023-03-31, change: -75%}\n",
        """\
      - {by: 2023-03-31, change: -75%}
    revisions:
      - decided: 2020-05-12
        by: ICS Board
        reason: Baseline restated from the March 2019 return; 2023 stage eased
        source: Board minutes, 12 May 2020, item 7
        baseline: {date: 2019-03-31, value: 100}
        targets:
          - {by: 2021-03-31, change: -50%}
          - {by: 2023-03-31, change: -60%}
""",
    )
    assert governance_errors(repo) == []
    if HAS_REVISIONS:
        code, _, err = check(repo)
        assert code == 0, err


def test_withdrawing_by_revision_passes_where_deleting_fails(repo: Path) -> None:
    edit_metrics(
        repo,
        "    due: 2020-04-30\n",
        """\
    due: 2020-04-30
    revisions:
      - decided: 2020-04-15
        by: ICS Board
        reason: Overtaken by the Health and Care Bill
        withdrawn: true
""",
    )
    assert governance_errors(repo) == []


# --- revisions are append-only ------------------------------------------------------------


def test_an_edited_revision_fails_and_an_appended_one_passes(repo: Path) -> None:
    (repo / "data" / "metrics.yaml").write_text(REVISED_MILESTONE, encoding="utf-8")
    commit(repo, "revise the CCG deadline")
    edit_metrics(repo, "        due: 2020-09-30\n", "        due: 2020-12-31\n")
    code, out, _ = check(repo)
    assert code == 1
    # (until the models read revisions, the ordinary check also lists 'unknown key')
    assert [line for line in out.splitlines() if "schema" not in line] == [
        f"{repo}/data/metrics.yaml:20:9: error: revision 1 (decided 2020-04-15) was edited: "
        "revisions are append-only; restore it as it was at the base revision and record a "
        "new decision as a new revisions entry after the last (revision-edited)"
    ]
    edit_metrics(
        repo,
        "        due: 2020-12-31\n",
        """\
        due: 2020-09-30
      - decided: 2020-09-01
        by: ICS Board
        reason: Parliament's timetable moved
        due: 2020-12-31
""",
    )
    assert governance_errors(repo) == []


def test_an_edited_revision_reason_fails(repo: Path) -> None:
    (repo / "data" / "metrics.yaml").write_text(REVISED_MILESTONE, encoding="utf-8")
    commit(repo, "revise the CCG deadline")
    edit_metrics(repo, "mergers was delayed", "mergers was late")
    (error,) = governance_errors(repo)
    assert error["rule"] == "revision-edited" and (error["line"], error["column"]) == (19, 9)


def test_a_removed_revision_fails(repo: Path) -> None:
    (repo / "data" / "metrics.yaml").write_text(REVISED_MILESTONE, encoding="utf-8")
    commit(repo, "revise the CCG deadline")
    (repo / "data" / "metrics.yaml").write_text(METRICS, encoding="utf-8")
    (error,) = governance_errors(repo)
    assert str(error["message"]).startswith(
        "revision 1 (decided 2020-04-15) was removed: revisions are append-only"
    )
    assert error["line"] == 11  # the metric whose revision went


# --- what may change freely ---------------------------------------------------------------


REFORMATTED = """\
# reformatted: block style, keys reordered, numbers and percentages written differently
metrics:

  - id: ooa-placements
    priority: P3
    name: Out of area placements
    direction: decrease
    unit: placements
    baseline:
      value: 120.0
      date: "2019-03-31"
    targets:
      - by: 2021-03-31
        change: -50.0%
      - change: -75 %
        by: '2023-03-31'
  - {id: ccg-configuration, priority: P4, name: Agree the future configuration of CCGs,
     kind: milestone, due: 2020-04-30}
"""


def test_reformatting_only_passes(repo: Path) -> None:
    (repo / "data" / "metrics.yaml").write_text(REFORMATTED, encoding="utf-8")
    code, out, err = check(repo)
    assert (code, out) == (0, ""), err


def test_new_metrics_and_text_fields_change_freely(repo: Path) -> None:
    edit_metrics(repo, "name: Out of area placements", "name: Out of area placements (acute)")
    edit_metrics(
        repo,
        "    baseline: {date: 2019-03-31, value: 120}",
        "    description: Placements outside the ICS's beds\n"
        "    owner: Mental health programme\n"
        "    source: Our next steps, Priority 3\n"
        "    baseline: {date: 2019-03-31, value: 120, note: the March 2019 return}",
    )
    edit_metrics(repo, "{by: 2021-03-31, change: -50%}", "{by: 2021-03-31, change: -50%, note: x}")
    with (repo / "data" / "metrics.yaml").open("a", encoding="utf-8") as file:
        file.write(
            "  - id: ics-board\n    priority: P4\n    name: Form the ICB\n"
            "    kind: milestone\n    due: 2022-07-01\n"
        )
    code, out, err = check(repo)
    assert (code, out) == (0, ""), err


def test_the_summary_says_what_was_compared(repo: Path) -> None:
    code, out, err = check(repo)
    assert (code, out) == (0, "")
    assert err.strip().endswith(
        "valid (2 priorities, 3 places, 2 metrics, 0 actuals); no commitment changed since "
        "main other than by revision"
    )


def test_a_file_new_since_the_base_has_nothing_to_compare(repo: Path) -> None:
    git(repo, "rm", "-q", "data/metrics.yaml")
    commit(repo, "no metrics yet")
    (repo / "data" / "metrics.yaml").write_text(METRICS, encoding="utf-8")
    assert check(repo, base="HEAD")[0] == 0


def test_a_data_directory_deeper_in_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "monorepo"
    data = root / "plans" / "lsc"
    data.mkdir(parents=True)
    for name, text in (("priorities", PRIORITIES), ("places", PLACES), ("metrics", METRICS)):
        (data / f"{name}.yaml").write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "plan")
    path = data / "metrics.yaml"
    path.write_text(METRICS.replace("due: 2020-04-30", "due: 2020-05-31"), encoding="utf-8")
    result = runner.invoke(app, ["--data", str(data), "check", "--base", "main"])
    assert result.exit_code == 1
    assert "the deadline changed from 2020-04-30 to 2020-05-31" in result.stdout


def test_the_ordinary_problems_still_show_beside_governance(repo: Path) -> None:
    edit_metrics(repo, "due: 2020-04-30", "due: April 2020")
    code, out, _ = check(repo)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2 and all(":15:" in line for line in lines)
    assert "expected a date as YYYY-MM-DD" in out
    assert "the deadline changed from 2020-04-30 to April 2020" in out


# --- every output format --------------------------------------------------------------------


def test_every_output_format(repo: Path) -> None:
    edit_metrics(repo, "due: 2020-04-30", "due: 2020-09-30")
    code, out, _ = check(repo, "--format", "json")
    assert code == 1
    (error,) = json.loads(out)["errors"]
    assert error["file"] == f"{repo}/data/metrics.yaml"
    assert (error["line"], error["column"], error["rule"]) == (15, 5, "changed-without-revision")
    assert str(error["message"]).startswith("the deadline changed from 2020-04-30 to 2020-09-30")
    code, out, _ = check(repo, "--format", "github")
    assert code == 1
    assert out.startswith(
        f"::error file={repo}/data/metrics.yaml,line=15,col=5,title=changed-without-revision"
        "::the deadline changed from 2020-04-30 to 2020-09-30 without a revision"
    )
    code, out, _ = check(repo, "--format", "gitlab")
    assert code == 1
    (issue,) = json.loads(out)
    assert issue["check_name"] == "changed-without-revision"
    assert issue["location"] == {"path": f"{repo}/data/metrics.yaml", "lines": {"begin": 15}}


# --- what --base cannot do: exit 2, one clear line --------------------------------------------


def test_not_a_git_repository_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name, text in (("priorities", PRIORITIES), ("places", PLACES), ("metrics", METRICS)):
        (data / f"{name}.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["--data", str(data), "check", "--base", "main"])
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: --base: {data} is not in a git repository")
    assert "Traceback" not in result.output


def test_an_unknown_revision_exits_2(repo: Path) -> None:
    code, out, err = check(repo, base="origin/main")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: --base origin/main: unknown revision in the repository of {repo}/data: give "
        "a branch, tag or commit it has (in CI, fetch it first: git fetch origin main, or "
        "check out with fetch-depth: 0; see docs/ci.md)"
    ]


def test_an_option_as_revision_is_refused(repo: Path) -> None:
    code, _, err = check(repo, base="--output=/tmp/x")
    assert code == 2 and "is not a git revision" in err


def test_git_not_installed_exits_2(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo))  # no git there
    code, _, err = check(repo)
    assert code == 2
    assert err.splitlines() == [
        "error: --base needs git, which is not installed (no 'git' on PATH): install git, "
        "or run lsc check without --base"
    ]


def test_without_base_nothing_is_compared(repo: Path) -> None:
    edit_metrics(repo, "due: 2020-04-30", "due: 2020-09-30")
    result = runner.invoke(app, ["--data", str(repo / "data"), "check"])
    assert result.exit_code == 0


# --- the pure comparison --------------------------------------------------------------------


def test_canonical_values_ignore_form_not_substance() -> None:
    block = parse_yaml("t:\n  by: 2021-03-31\n  value: 30.0\n", "x").data["t"]
    flow = parse_yaml("t: {value: 3e1, by: '2021-03-31', note: hi}\n", "x").data["t"]
    assert canonical(block) == canonical(flow, frozenset({"note"}))
    assert canonical(parse_yaml("c: -50%", "x").data) == canonical(
        parse_yaml("c: -50.0 %", "x").data
    )
    assert canonical(parse_yaml("v: 30", "x").data) != canonical(parse_yaml("v: '30'", "x").data)


def test_a_broken_file_on_either_side_gives_nothing_to_compare() -> None:
    good = parse_yaml(METRICS, "metrics.yaml")
    broken = parse_yaml("metrics: [\n", "metrics.yaml")
    assert compare_metrics(good, broken, "main") == []
    assert compare_metrics(broken, good, "main") == []
    assert compare_metrics(parse_yaml("", "m"), good, "main") == []
