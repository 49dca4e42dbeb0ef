"""``--as-known``: reproduce a past board paper exactly (issue 18, part 1).

The big test builds a git repository over several months of commits (a target revised
after the fact, actuals recorded by the tool, a correction and a void recorded later,
hand-written lines without ``recorded``, owner updates, uncommitted edits) and holds
``lsc status --as-known D`` and ``lsc report --as-known D`` on today's tree to the same
commands run on a checkout of the commit of that date, while today's view of D differs.
The rules are in docs/status-rules.md, "As known".
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import PLACES, PRIORITIES, REPO, lsc, lsc_process, report_figure
from lsc_tracker.asknown import known_by, parse_known_time
from lsc_tracker.models import Actual

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

D = "2025-04-10"

METRICS_V1 = """\
metrics:
  - id: waits
    priority: P3
    name: Patients waiting over 12 hours
    direction: decrease
    unit: patients
    baseline: {date: 2024-12-31, value: 100}
    targets:
      - {by: 2025-12-31, value: 60}
  - id: winter-plan
    priority: P3
    name: Winter plan agreed
    kind: milestone
    due: 2025-06-30
"""

REVISION = """\
    revisions:
      - decided: 2025-03-01
        by: ICS Board
        reason: Bed base reduced (minuted in March, transcribed in May)
        targets:
          - {by: 2025-12-31, value: 80}
"""

METRICS_V2 = METRICS_V1.replace(
    "      - {by: 2025-12-31, value: 60}\n", "      - {by: 2025-12-31, value: 60}\n" + REVISION
)


def tool_line(recorded: str, **fields: Any) -> str:
    """A log line as ``lsc record`` writes it, with its ``recorded`` time."""
    return "- " + json.dumps({**fields, "recorded": recorded}) + "\n"


def git(repo: Path, *args: str, when: str | None = None) -> str:
    """Run git in ``repo``; ``when`` (ISO) is both the author and the committer date."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    identity = ["-c", "user.name=Amy Analyst", "-c", "user.email=amy@example.org"]
    done = subprocess.run(
        ["git", *identity, "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout.strip()


def commit(repo: Path, when: str, message: str) -> str:
    git(repo, "add", "data")
    git(repo, "commit", "-q", "-m", message, when=when)
    return git(repo, "rev-parse", "HEAD")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as log:
        log.write(text)


def build_history(repo: Path) -> dict[str, str]:
    """Five months of a plan's life in git; the commits by name."""
    data = repo / "data"
    data.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (data / "priorities.yaml").write_text(PRIORITIES)
    (data / "places.yaml").write_text(PLACES)
    (data / "metrics.yaml").write_text(METRICS_V1)
    (data / "actuals.yaml").write_text("# actuals\n")
    actuals, updates = data / "actuals.yaml", data / "updates.yaml"
    commits = {"plan": commit(repo, "2025-01-05T10:00:00Z", "The plan")}
    append(actuals, tool_line("2025-02-03T09:00:00Z", metric="waits", date="2025-01-31", value=95))
    commits["january"] = commit(repo, "2025-02-03T09:01:00Z", "January")
    # typed in by hand, as YAML over several lines, with no recorded time
    append(actuals, "- metric: waits\n  date: 2025-02-28\n  value: 90\n  note: typed in\n")
    append(
        updates,
        tool_line(
            "2025-03-04T12:00:00Z",
            metric="waits",
            date="2025-03-04",
            rag="on_track",
            note="Improving",
            by="amy",
        ),
    )
    commits["february"] = commit(repo, "2025-03-04T12:01:00Z", "February, by hand")
    append(actuals, tool_line("2025-04-02T10:00:00Z", metric="waits", date="2025-03-31", value=88))
    commits["march"] = commit(repo, "2025-04-02T10:01:00Z", "March")
    # May: the board's March revision transcribed, March corrected, February voided, the
    # milestone (done before D) recorded, April typed in by hand, an update dated before D
    (data / "metrics.yaml").write_text(METRICS_V2)
    append(
        actuals,
        tool_line(
            "2025-05-06T09:00:00Z",
            metric="waits",
            date="2025-03-31",
            value=97,
            replaces=True,
            note="March revised",
        ),
    )
    append(
        actuals,
        tool_line(
            "2025-05-06T09:05:00Z",
            metric="waits",
            date="2025-02-28",
            void=True,
            note="was January's figure",
        ),
    )
    append(
        actuals,
        tool_line("2025-05-06T09:10:00Z", metric="winter-plan", date="2025-04-08", value="done"),
    )
    append(actuals, "- {metric: waits, date: 2025-04-30, value: 99}\n")
    append(
        updates,
        tool_line(
            "2025-05-06T09:20:00Z",
            metric="waits",
            date="2025-04-09",
            rag="at_risk",
            note="Beds closed",
            by="amy",
        ),
    )
    commits["may"] = commit(repo, "2025-05-06T09:30:00Z", "May: revision, corrections")
    # not committed: a line typed in by hand, and a silent edit of the baseline
    append(actuals, "- {metric: waits, date: 2025-04-07, value: 120}\n")
    metrics = data / "metrics.yaml"
    metrics.write_text(metrics.read_text().replace("value: 100}", "value: 110}"))
    return commits


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    repo = tmp_path_factory.mktemp("as-known") / "repo"
    repo.mkdir()
    return repo, build_history(repo)


def checkout(repo: Path, rev: str, where: Path) -> Path:
    """A separate work tree of ``repo`` at ``rev``: its data directory."""
    git(repo, "worktree", "add", "-q", "--detach", str(where), rev)
    return where / "data"


def status_json(data: Path, *args: str) -> dict[str, Any]:
    code, out, err = lsc(data, "status", "--format", "json", *args)
    assert code == 0, err
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def without_as_known(report: dict[str, Any]) -> dict[str, Any]:
    """The status JSON apart from the as_known fields."""
    kept = {key: value for key, value in report.items() if key != "as_known"}
    kept["metrics"] = [
        {key: value for key, value in metric.items() if key != "not_yet_known"}
        for metric in report["metrics"]
    ]
    return kept


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """What a board reads of each metric: status, latest value, target."""
    return {
        m["id"]: (m["status"], m["latest"], m["target"], m.get("update")) for m in report["metrics"]
    }


# --- the Done-when test --------------------------------------------------------------------


@pytest.mark.slow  # builds a repository and runs git several times
def test_as_known_gives_what_the_commit_of_that_date_gave(
    history: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, commits = history
    then = checkout(repo, commits["march"], tmp_path / "then")
    reproduced = status_json(repo / "data", "--as-known", D)
    original = status_json(then, "--as-of", D)
    assert without_as_known(reproduced) == without_as_known(original)
    assert figures(reproduced)["waits"][:3] == (
        "on_track",
        {"date": "2025-03-31", "value": 88},
        {"by": "2025-12-31", "value": 60},
    )
    assert figures(reproduced)["winter-plan"][0] == "on_track"
    assert reproduced["as_known"] == {
        "time": "2025-04-10T23:59:59Z",
        "commit": commits["march"],
        "commit_time": "2025-04-02T10:01:00Z",
        "entries_without_time": 0,
        "actuals_left_out": 5,  # the correction, the void, done, April by hand, uncommitted
        "updates_left_out": 1,
    }
    by_id = {m["id"]: m["not_yet_known"] for m in reproduced["metrics"]}
    assert by_id == {"waits": 4, "winter-plan": 1}
    assert original["as_known"] is None
    assert {m["not_yet_known"] for m in original["metrics"]} == {None}

    today = status_json(repo / "data", "--as-of", D)
    assert without_as_known(today) != without_as_known(reproduced)
    waits = figures(today)["waits"]
    assert waits[1] == {"date": "2025-04-07", "value": 120}  # the uncommitted line counts now
    assert waits[2] == {"by": "2025-12-31", "value": 80}  # the revision decided in March
    assert figures(today)["winter-plan"][0] == "achieved"


@pytest.mark.slow  # builds a repository, renders two reports
def test_the_report_as_known_is_the_report_of_that_commit_but_for_its_line(
    history: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, commits = history
    then = checkout(repo, commits["march"], tmp_path / "then")
    code, reproduced, err = lsc(repo / "data", "report", "--as-known", D, "--output", "-")
    assert code == 0, err
    code, original, err = lsc(then, "report", "--as-of", D, "--output", "-")
    assert code == 0, err
    line = (
        f'<p class="meta as-known">As known on 2025-04-10 23:59:59 UTC: the plan at commit '
        f"{commits['march'][:7]} (2025-04-02); 6 entries recorded later left out.</p>"
    )
    assert line in reproduced.splitlines()
    assert [ln for ln in reproduced.splitlines() if ln != line] == original.splitlines()
    code, today, err = lsc(repo / "data", "report", "--as-of", D, "--output", "-")
    assert code == 0, err
    assert today != original


@pytest.mark.slow  # builds a repository
def test_each_commit_date_reproduces_its_checkout(
    history: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """On every commit's own date, and between commits, the same holds."""
    repo, commits = history
    for name, day in [("january", "2025-02-10"), ("february", "2025-03-04"), ("may", "2025-06-01")]:
        then = checkout(repo, commits[name], tmp_path / name)
        reproduced = status_json(repo / "data", "--as-known", day)
        assert without_as_known(reproduced) == without_as_known(
            status_json(then, "--as-of", day)
        ), name


# --- the command line -----------------------------------------------------------------------


@pytest.mark.slow  # builds a repository
def test_show_spc_and_the_terminal_say_what_they_show(
    history: tuple[Path, dict[str, str]],
) -> None:
    repo, commits = history
    for command in (["show", "waits"], ["spc", "waits"], ["status"]):
        code, out, err = lsc(repo / "data", *command, "--as-known", D)
        assert code == 0, err
        assert (
            f"As known on 2025-04-10 23:59:59 UTC: the plan at commit {commits['march'][:7]}" in err
        )
    code, out, err = lsc(repo / "data", "spc", "waits", "--as-known", D, "--format", "json")
    assert code == 0, err
    assert [p["value"] for p in json.loads(out)["points"]] == [95, 90, 88]


@pytest.mark.slow  # builds a repository
def test_a_time_of_day_in_utc_or_with_an_offset(history: tuple[Path, dict[str, str]]) -> None:
    repo, commits = history
    # March was recorded at 10:00 UTC on 2025-04-02 and committed at 10:01: at 09:59 UTC
    # (up to 09:59:59) neither had happened
    before = status_json(repo / "data", "--as-known", "2025-04-02T09:59", "--as-of", D)
    after = status_json(repo / "data", "--as-known", "2025-04-02T10:01", "--as-of", D)
    assert before["as_known"]["commit"] == commits["february"]
    assert figures(before)["waits"][1] == {"date": "2025-02-28", "value": 90}
    assert after["as_known"]["commit"] == commits["march"]
    assert figures(after)["waits"][1] == {"date": "2025-03-31", "value": 88}
    # 11:01 at +01:00 is 10:01 UTC
    offset = status_json(repo / "data", "--as-known", "2025-04-02T11:01+01:00", "--as-of", D)
    assert without_as_known(offset) == without_as_known(after)
    assert offset["as_known"]["time"] == "2025-04-02T10:01:59Z"


@pytest.mark.slow  # builds a repository
def test_as_of_defaults_to_the_as_known_date_and_may_be_given(
    history: tuple[Path, dict[str, str]],
) -> None:
    repo, _ = history
    assert status_json(repo / "data", "--as-known", D)["as_of"] == D
    later = status_json(repo / "data", "--as-known", D, "--as-of", "2026-01-31")
    assert later["as_of"] == "2026-01-31"
    assert figures(later)["waits"][0] == "overdue"  # what was known in April, judged later


@pytest.mark.parametrize(
    "given", ["yesterday", "2025-13-01", "2025-04-10T25:00", "10/04/2025", "2025-04-10T10"]
)
def test_a_value_that_is_not_a_date_is_a_usage_error(given: str, tmp_path: Path) -> None:
    code, _, err = lsc(tmp_path, "status", "--as-known", given)
    assert code == 2
    assert "--as-known" in err and "YYYY-MM-DD" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("given", ["9999-12-31", "9999-12-31T23:59", "0001-01-01", "1899-12-31"])
def test_a_date_outside_the_calendar_it_assesses_is_a_usage_error(
    given: str, tmp_path: Path
) -> None:
    code, _, err = lsc(tmp_path, "status", "--as-known", given)
    assert code == 2
    assert "--as-known" in err
    assert "Traceback" not in err


@pytest.mark.slow  # builds a repository
def test_a_time_before_the_first_commit_is_a_usage_error(
    history: tuple[Path, dict[str, str]],
) -> None:
    repo, _ = history
    before = (repo / "data" / "actuals.yaml").read_bytes()
    for command in (["status"], ["report", "--output", "-"], ["show", "waits"], ["spc", "waits"]):
        code, out, err = lsc(repo / "data", *command, "--as-known", "2025-01-04")
        assert code == 2, err
        assert err.strip() == (
            "error: --as-known 2025-01-04 (2025-01-04 23:59:59 UTC) is before the repository's "
            "first commit (2025-01-05 10:00:00 UTC): nothing was known then; give a later date"
        )
        assert out == ""
    assert (repo / "data" / "actuals.yaml").read_bytes() == before


@pytest.mark.slow  # builds a repository and a clone
def test_a_shallow_clone_is_a_usage_error(
    history: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, _ = history
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True
    )
    code, _, err = lsc(shallow / "data", "status", "--as-known", D)
    assert code == 2
    assert "is a shallow clone" in err
    assert "git fetch --unshallow" in err


@pytest.mark.slow  # builds a repository
def test_a_blame_that_fails_is_an_error_not_a_guess(
    history: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When git cannot say when the lines were committed, nothing is guessed."""
    repo, _ = history
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "blame.ignoreRevsFile")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "no-such-file")
    code, out, err = lsc(repo / "data", "status", "--as-known", D)
    assert code == 2
    assert err.startswith("error: --as-known: git blame actuals.yaml failed: "), err
    assert out == ""


@pytest.mark.slow  # builds a repository, runs lsc as a process
def test_without_git_installed_it_is_outside_git(
    history: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """No git on PATH: the plan files as they are, only recorded leaves an entry out."""
    repo, _ = history
    empty = tmp_path / "no-git"
    empty.mkdir()
    ran = lsc_process(
        repo / "data", "status", "--format", "json", "--as-known", D, env={"PATH": str(empty)}
    )
    assert ran.exit_code == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert report["as_known"]["commit"] is None
    # the lines typed by hand, but April's, dated after the moment, which was not known then
    assert report["as_known"]["entries_without_time"] == 2
    assert report["as_known"]["actuals_left_out"] == 4
    assert (
        "warning: not in a git repository: entries without `recorded` counted as known (2 entries)"
        in ran.stderr
    )


def test_missing_lists_what_is_outstanding_now(write_plan: Any) -> None:
    data = write_plan()
    code, _, err = lsc(
        data, "status", "--missing", "--period", "2020-06", "--as-known", "2020-07-01"
    )
    assert code == 2
    assert "error: --missing lists what is outstanding now: leave out --as-known" in err


def test_a_time_in_the_future_is_a_usage_error(write_plan: Any) -> None:
    data = write_plan()
    code, _, err = lsc(data, "status", "--as-known", "2199-01-01")
    assert code == 2
    assert "error: --as-known 2199-01-01 is in the future" in err


def test_today_is_allowed(write_plan: Any) -> None:
    data = write_plan()
    today = datetime.now(UTC).date().isoformat()
    code, _, err = lsc(data, "status", "--as-known", today)
    assert code == 0, err


# --- outside git, and the rules on their own ------------------------------------------------


def test_outside_git_only_recorded_leaves_an_entry_out(write_plan: Any, tmp_path: Path) -> None:
    actuals = (
        tool_line("2020-05-02T09:00:00Z", metric="ooa-placements", date="2020-04-30", value=70)
        + tool_line("2020-07-02T09:00:00Z", metric="ooa-placements", date="2020-06-30", value=60)
        + "- {metric: ooa-placements, date: 2020-05-31, value: 65}\n"
    )
    data = write_plan(actuals=actuals)
    code, out, err = lsc(data, "status", "--format", "json", "--as-known", "2020-06-30")
    assert code == 0, err
    report = json.loads(out)
    assert report["as_known"]["commit"] is None
    assert report["as_known"]["entries_without_time"] == 1
    assert report["as_known"]["actuals_left_out"] == 1
    ooa = next(m for m in report["metrics"] if m["id"] == "ooa-placements")
    assert ooa["latest"] == {"date": "2020-05-31", "value": 65}
    assert ooa["not_yet_known"] == 1
    assert (
        "warning: not in a git repository: entries without `recorded` counted as known (1 entry)"
        in err.splitlines()
    )
    code, markdown, err = lsc(data, "status", "--format", "markdown", "--as-known", "2020-06-30")
    assert code == 0, err
    assert markdown.splitlines()[:3] == [
        "# Status as of 2020-06-30",
        "",
        "As known on 2020-06-30 23:59:59 UTC: not in a git repository: the plan files as they "
        "are now; 1 entry recorded later left out, 1 entry without a known time counted.",
    ]
    code, html, err = lsc(data, "report", "--as-known", "2020-06-30", "--output", "-")
    assert code == 0, err
    assert (
        "As known on 2020-06-30 23:59:59 UTC: not in a git repository: the plan files as they "
        "are now; 1 entry recorded later left out, 1 entry without a known time counted."
    ) in html


@pytest.mark.slow  # builds a repository
def test_recorded_wins_over_the_commit_time(tmp_path: Path) -> None:
    """An entry recorded in another clone before the moment, merged after it, was known
    then (its recorded time says so); one typed by hand is known when committed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    build_history(repo)
    data = repo / "data"
    git(repo, "checkout", "-q", "--", "data/metrics.yaml")
    (data / "actuals.yaml").write_text(
        (data / "actuals.yaml").read_text()
        + tool_line("2025-04-09T08:00:00Z", metric="waits", date="2025-04-08", value=85)
    )
    commit(repo, "2025-06-01T10:00:00Z", "merged from a clone in June")
    report = status_json(data, "--as-known", D)
    assert figures(report)["waits"][1] == {"date": "2025-04-08", "value": 85}


def test_a_duplicate_settled_later_is_a_warning(write_plan: Any) -> None:
    """Two entries for one key, settled by a correction recorded after the moment: the
    log as known then held the duplicate; the later entry counts, as in every view."""
    key = {"metric": "ooa-placements", "date": "2020-04-30"}
    actuals = (
        tool_line("2020-05-02T09:00:00Z", **key, value=70)
        + tool_line("2020-05-03T09:00:00Z", **key, value=72)
        + tool_line("2020-07-02T09:00:00Z", **key, value=71, replaces=True)
    )
    data = write_plan(actuals=actuals)
    code, out, err = lsc(data, "status", "--format", "json", "--as-known", "2020-06-30")
    assert code == 0, err
    assert "warning: the data as known on 2020-06-30 23:59:59 UTC has 1 problem: " in err
    assert "(duplicate-actual)" in err
    ooa = next(m for m in json.loads(out)["metrics"] if m["id"] == "ooa-placements")
    assert ooa["latest"] == {"date": "2020-04-30", "value": 72}
    code, _, err = lsc(data, "status", "--format", "json", "--as-known", "2020-07-02")
    assert code == 0, err
    assert "warning" not in err.replace("warning: not in a git repository", "")


@pytest.mark.slow  # builds a repository
def test_a_plan_not_committed_yet_is_a_usage_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "README").write_text("a repository, the plan not in it yet\n")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "start", when="2025-01-01T10:00:00Z")
    data = repo / "data"
    (data / "priorities.yaml").write_text(PRIORITIES)
    (data / "places.yaml").write_text(PLACES)
    (data / "metrics.yaml").write_text(METRICS_V1)
    code, _, err = lsc(data, "status", "--as-known", "2025-02-01")
    assert code == 2
    assert err.startswith("error: --as-known 2025-02-01: data/priorities.yaml is not in commit "), (
        err
    )
    assert "the plan was not committed yet (commit it, or give a later date)" in err


@pytest.mark.slow  # builds three repositories
def test_a_line_merged_from_a_clone_counts_from_its_own_commit(tmp_path: Path) -> None:
    """A line typed by hand in a clone, committed there before the moment and merged (by
    the union merge) after it, was known then: git blame gives its own commit's time."""
    shared = tmp_path / "shared"
    shared.mkdir()
    build_history(shared)
    git(shared, "checkout", "-q", "--", "data")  # leave out the uncommitted edits
    (shared / "data" / ".gitattributes").write_text("actuals.yaml merge=union\n")
    commit(shared, "2025-05-07T09:00:00Z", "union merge for the logs")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(shared), str(clone)], check=True)
    append(clone / "data" / "actuals.yaml", "- {metric: waits, date: 2025-05-07, value: 98}\n")
    commit(clone, "2025-05-08T09:00:00Z", "April, typed in the clone")
    append(
        shared / "data" / "actuals.yaml",
        tool_line("2025-05-09T09:00:00Z", metric="winter-plan", date="2025-05-09", value="done"),
    )
    commit(shared, "2025-05-09T09:01:00Z", "the plan agreed")
    git(
        shared,
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        str(clone),
        "main",
        when="2025-06-01T09:00:00Z",
    )
    data = shared / "data"
    args = ("status", "--format", "json", "--as-of", "2025-05-08", "--as-known")
    code, out, err = lsc(data, *args, "2025-05-08T12:00")
    assert code == 0, err
    assert "warning" not in err
    assert figures(json.loads(out))["waits"][1] == {"date": "2025-05-07", "value": 98}
    before = status_json(data, "--as-known", "2025-05-08T08:00", "--as-of", "2025-05-08")
    assert figures(before)["waits"][1] == {"date": "2025-04-30", "value": 99}


def test_today_counts_what_is_not_committed_yet(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    data = repo / "data"
    data.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (data / "priorities.yaml").write_text(PRIORITIES)
    (data / "places.yaml").write_text(PLACES)
    (data / "metrics.yaml").write_text(METRICS_V1)
    commit(repo, "2025-01-05T10:00:00Z", "The plan")
    (data / "actuals.yaml").write_text("- {metric: waits, date: 2025-01-31, value: 93}\n")
    today = datetime.now(UTC).date().isoformat()
    known_now = status_json(data, "--as-known", today, "--as-of", "2025-02-01")
    assert figures(known_now)["waits"][1] == {"date": "2025-01-31", "value": 93}
    known_then = status_json(data, "--as-known", "2025-02-01")
    assert figures(known_then)["waits"][1] is None
    assert known_then["as_known"]["actuals_left_out"] == 1


def test_known_by_prefers_recorded_to_the_line_time() -> None:
    moment = parse_known_time("2025-04-10")
    entries = [
        Actual("m", date(2025, 3, 31), 1, recorded=datetime(2025, 4, 10, 23, 59, tzinfo=UTC)),
        Actual("m", date(2025, 3, 31), 2, recorded=datetime(2025, 4, 11, tzinfo=UTC)),
        Actual("m", date(2025, 3, 31), 3),
        Actual("n", date(2025, 3, 31), 4),
        Actual("n", date(2025, 3, 31), 5),
    ]
    lines = [
        datetime(2025, 5, 1, tzinfo=UTC),  # committed later, recorded in time: known
        datetime(2025, 4, 1, tzinfo=UTC),  # committed in time, recorded later: not known
        datetime(2025, 4, 10, 23, 59, 59, tzinfo=UTC),
        datetime(2025, 4, 11, tzinfo=UTC),
        None,
    ]
    known = known_by(entries, lines, moment)
    assert known.kept == [0, 2, 4]
    assert dict(known.left_out) == {"m": 1, "n": 1}
    assert known.without_time == 1


def test_an_entry_dated_after_the_moment_was_not_known_then() -> None:
    """Whatever its times say: a figure is recorded once its date has come."""
    moment = parse_known_time("2025-04-10")
    early = datetime(2025, 4, 1, tzinfo=UTC)
    entries = [
        Actual("m", date(2025, 4, 10), 1),
        Actual("m", date(2025, 4, 11), 2),
        Actual("m", date(2025, 4, 11), 3, recorded=early),
    ]
    known = known_by(entries, [None, None, None], moment)
    assert known.kept == [0]
    assert dict(known.left_out) == {"m": 2}
    assert known.without_time == 1


@pytest.mark.parametrize(
    ("given", "end"),
    [
        ("2025-04-10", "2025-04-11T00:00:00+00:00"),
        ("2025-04-10T09:30", "2025-04-10T09:31:00+00:00"),
        ("2025-04-10T09:30Z", "2025-04-10T09:31:00+00:00"),
        ("2025-04-10 09:30:15", "2025-04-10T09:30:16+00:00"),
        ("2025-04-10T09:30+02:00", "2025-04-10T07:31:00+00:00"),
    ],
)
def test_a_date_is_the_end_of_that_day_and_a_time_the_end_of_its_minute(
    given: str, end: str
) -> None:
    moment = parse_known_time(given)
    assert moment.end.isoformat() == end
    assert moment.day == date(2025, 4, 10)


# --- how long it takes ----------------------------------------------------------------------


@pytest.mark.slow  # writes and blames a 100,000-line log
def test_a_100k_line_log_without_recorded_times(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    data = repo / "data"
    data.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (data / "priorities.yaml").write_text(PRIORITIES)
    (data / "places.yaml").write_text(PLACES)
    (data / "metrics.yaml").write_text(
        "metrics:\n"
        + "".join(
            f"  - {{id: m{n}, priority: P3, name: M{n}, direction: increase}}\n" for n in range(50)
        )
    )
    first = date(2019, 6, 1).toordinal()  # 50 metrics x 2,000 days, up to 2024-11-21
    lines = []
    for i in range(100_000):
        day = date.fromordinal(first + i // 50)
        lines.append(f'- {{"metric": "m{i % 50}", "date": "{day}", "value": {i}}}\n')
    for month in range(1, 5):  # four commits of 25,000 lines
        with (data / "actuals.yaml").open("a") as log:
            log.writelines(lines[(month - 1) * 25_000 : month * 25_000])
        commit(repo, f"2025-0{month}-01T10:00:00Z", f"month {month}")
    started = time.perf_counter()
    report = status_json(data, "--as-known", "2025-03-15", "--as-of", "2199-01-01")
    took = time.perf_counter() - started
    assert report["summary"]["actuals_counted"] == 75_000
    assert report["as_known"]["actuals_left_out"] == 25_000
    report_figure(f"--as-known over a 100,000-line log without recorded: {took:.1f} s")
    assert took < 60


def test_the_documented_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/status-rules.md's examples of --as-known, on a copy of data/ outside git."""
    text = (REPO / "docs" / "status-rules.md").read_text()
    section = text.split("## As known on a date", 1)[1].split("\n## ", 1)[0]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line[2:]) for line in block.splitlines() if line.startswith("$ ")]
    assert len(commands) == 3
    shutil.copytree(REPO / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    for command in commands:
        assert command[0] == "lsc"
        code, _, err = lsc(tmp_path / "data", *command[1:])
        assert code == 0, (command, err)
        assert "As known on " in err
        assert "warning: not in a git repository" in err
    assert (tmp_path / "board-2025-04.html").is_file()
