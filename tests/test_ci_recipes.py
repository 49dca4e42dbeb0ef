"""The CI recipes and pre-commit hook in the docs are real: they parse and name real options."""

from __future__ import annotations

import re
import shlex

import yaml

from conftest import REPO, lsc


def test_pre_commit_hook_runs_lsc_check() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "lsc-check"
    assert [hook["entry"], *hook["args"]] == ["lsc", "check"]
    assert re.search(hook["files"], "plan/data/metrics.yaml")
    assert not re.search(hook["files"], "README.md")


def test_every_yaml_block_in_ci_doc_parses_and_every_lsc_command_is_valid() -> None:
    text = (REPO / "docs" / "ci.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 4
    commands = []
    for block in blocks:
        yaml.safe_load(block)
        commands += re.findall(r"(?:run: |- )(lsc [^>|\n]*?)(?:\s*[>|#].*)?$", block, flags=re.M)
    assert len(commands) >= 5
    for command in commands:
        args = shlex.split(command)[1:]
        # with --help, click still refuses an unknown command or option name (exit 2)
        result = lsc(None, *args, "--help")
        assert result.exit_code == 0, (command, result.output)
