"""The positioned YAML reader: text in, plain values and problems with positions out."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lsc_tracker.applog.parse import parse_log
from lsc_tracker.yamlsource import MAX_DEPTH, PlainScalar, parse_yaml


def problems(text: str) -> list[tuple[int, int, str]]:
    return [(p.source.line, p.source.column, p.rule) for p in parse_yaml(text, "f.yaml").problems]


def test_scalars_stay_text_and_remember_quoting() -> None:
    doc = parse_yaml("a: 42\nb: '42'\nc: NO\nd: 1.10\ne: 1:30\nf: 0777\n", "f.yaml")
    assert doc.data == {"a": "42", "b": "42", "c": "NO", "d": "1.10", "e": "1:30", "f": "0777"}
    assert isinstance(doc.data["a"], PlainScalar)
    assert not isinstance(doc.data["b"], PlainScalar)


def test_unquoted_null_forms_are_none_but_quoted_null_is_text() -> None:
    doc = parse_yaml("a: null\nb: ~\nc:\nd: 'null'\n", "f.yaml")
    assert doc.data == {"a": None, "b": None, "c": None, "d": "null"}


def test_positions_of_values_and_keys_are_one_based() -> None:
    doc = parse_yaml("top:\n  - id: x\n    name:   hello\n", "f.yaml")
    assert (doc.source(("top", 0, "name")).line, doc.source(("top", 0, "name")).column) == (3, 13)
    assert doc.source(("top", 0, "name"), key=True).column == 5
    # a missing key points at its parent mapping
    assert doc.source(("top", 0, "missing")).line == 2


def test_duplicate_keys_at_every_level_are_problems() -> None:
    text = "a: 1\na: 2\nb:\n  c: 1\n  c: 2\nd:\n  - {e: 1, e: 2}\n"
    assert problems(text) == [
        (2, 1, "duplicate-key"),
        (5, 3, "duplicate-key"),
        (7, 12, "duplicate-key"),
    ]


def test_anchors_aliases_and_tags_are_refused() -> None:
    assert problems("a: &x 1\nb: *x\nc: !!python/object:os.system x\n") == [
        (1, 4, "yaml-anchor"),
        (2, 4, "yaml-alias"),
        (3, 4, "yaml-tag"),
    ]


def test_billion_laughs_is_refused_without_expanding() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        prev = chr(ord("a") + n - 1)
        this = chr(ord("a") + n)
        lines.append(f"{this}: &{this} [{', '.join(['*' + prev] * 9)}]")
    doc = parse_yaml("\n".join(lines), "bomb.yaml")
    assert {p.rule for p in doc.problems} == {"yaml-anchor", "yaml-alias"}


def test_deep_nesting_stops_at_the_limit_without_crashing() -> None:
    doc = parse_yaml("[" * 100_000, "deep.yaml")
    assert [(p.source.line, p.rule) for p in doc.problems] == [(1, "yaml-depth")]
    assert f"more than {MAX_DEPTH} levels" in doc.problems[0].message


def test_syntax_errors_have_a_position_and_a_hint_for_tabs() -> None:
    doc = parse_yaml("a:\n\tb: 1\n", "f.yaml")
    assert doc.problems[0].source.line == 2
    assert "spaces, not tabs" in doc.problems[0].message
    doc = parse_yaml('a: "unclosed\n', "f.yaml")
    assert doc.problems[0].rule == "yaml-syntax"


def test_only_one_document_per_file() -> None:
    assert problems("a: 1\n---\nb: 2\n") == [(2, 1, "yaml-document")]


def test_log_fast_path_and_hand_written_entries_mix_with_positions() -> None:
    text = (
        "# written by lsc record\n"
        '- {"metric": "m", "date": "2020-01-31", "value": 1}\n'
        "- metric: m\n"
        "  date: 2020-02-29\n"
        "  value: 2  # typed by hand\n"
        '- {"metric": "m", "date": "2020-03-31", "value": 3.5, "note": "a: #b"}\n'
    )
    doc = parse_log(text, "actuals.yaml")
    assert not doc.problems
    assert [e["value"] for e in doc.data] == [1, "2", 3.5]
    assert doc.data[2]["note"] == "a: #b"
    assert doc.entry_line(0) == 2 and doc.entry_line(1) == 3 and doc.entry_line(2) == 6
    # positions inside a fast-path entry are those the YAML path would give
    assert doc.source((2, "value")).line == 6
    assert doc.source((2, "value")).column == 50
    assert doc.source((1, "value")).column == 10


def test_log_refuses_a_bracket_list_mixed_with_entries() -> None:
    entry = '- {"metric": "m", "date": "2020-01-31", "value": 1}\n'
    for start in ("[]\n", "%YAML 1.1\n--- # c\n[ ]\n# comment\n"):
        doc = parse_log(start + entry, "a.yaml")
        assert [p.rule for p in doc.problems] == ["log-shape"], start


def test_log_of_comments_or_brackets_only_is_empty() -> None:
    for text in ("", "# nothing yet\n", "[]\n", "# header\n[]\n"):
        doc = parse_log(text, "a.yaml")
        assert doc.data == [] and not doc.problems, text


def test_log_line_that_is_not_json_falls_back_to_yaml() -> None:
    doc = parse_log('- {"metric": "m", "value": NaN}\n- {metric: m, value: 2}\n', "a.yaml")
    assert doc.data == [{"metric": "m", "value": "NaN"}, {"metric": "m", "value": "2"}]
    assert doc.fast_entry_lines == {}


entry_values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


@pytest.mark.slow  # hypothesis
@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["metric", "note", "value"]), entry_values)))
def test_fast_path_reads_what_yaml_reads(entries: list[dict[str, object]]) -> None:
    """Lines written as JSON are YAML too: both readers agree on every string."""
    from lsc_tracker.actuals import format_line  # written by the recording module

    text = "".join(format_line(entry) + "\n" for entry in entries)
    doc = parse_log(text, "a.yaml")
    assert not doc.problems
    via_yaml = yaml.safe_load(text) or []
    assert len(doc.data) == len(via_yaml) == len(entries)
    for ours, theirs, original in zip(doc.data, via_yaml, entries, strict=True):
        for key, value in original.items():
            if isinstance(value, str):
                assert ours[key] == theirs[key] == value
            else:
                assert (
                    float(ours[key]) == float(theirs[key]) == float(json.loads(json.dumps(value)))
                )


@pytest.mark.slow  # hypothesis
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_data_or_problems_never_an_exception(text: str) -> None:
    parse_yaml(text, "f.yaml")
    parse_log(text, "f.yaml")


SAMPLE = (
    "metrics:\n  - id: ooa\n    priority: P3\n    targets:\n      - {by: 2021-03-31, value: 5}\n"
)


@pytest.mark.slow  # hypothesis
@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(SAMPLE)), st.integers(0, 8), st.text(max_size=6))
def test_mutated_yaml_never_raises(position: int, cut: int, insert: str) -> None:
    mutated = SAMPLE[:position] + insert + SAMPLE[position + cut :]
    doc = parse_yaml(mutated, "f.yaml")
    for problem in doc.problems:
        assert problem.source.line >= 1 and problem.source.column >= 1


def test_lines_that_are_not_one_json_object_each_never_take_the_fast_path() -> None:
    """Decoded together, these three lines give three values, misaligned with the lines."""
    text = '- {"a": [{"b": 1}\n- {"c": 2}]}\n- {"x": 1}, {"y": 2}\n'
    doc = parse_log(text, "a.yaml")
    assert doc.fast_entry_lines == {}
    assert {"x": 1} not in (doc.data if isinstance(doc.data, list) else [])


def test_a_duplicate_key_on_a_tool_written_line_is_found() -> None:
    doc = parse_log('- {"metric": "m", "value": 1, "value": 2}\n', "a.yaml")
    assert [(p.source.line, p.rule) for p in doc.problems] == [(1, "duplicate-key")]


# --- the log stays one YAML list: document markers and nulls between entries ---------------

TOOL_LINE = '- {"metric": "m", "date": "2020-01-31", "value": 1}'


def log_problems(text: str) -> list[tuple[int, int, str]]:
    doc = parse_log(text, "a.yaml")
    return [(p.source.line, p.source.column, p.message) for p in doc.problems]


def test_a_document_marker_or_a_null_between_entries_is_refused_where_it_is() -> None:
    """Each segment between tool-written lines read on its own took these for an empty
    document; YAML reads the file as two documents, or a list with a null in it."""
    second = "'---' here starts a second YAML document, which splits the list: delete this line"
    end = "'...' ends the YAML document here, so the entries after it would not be part of"
    null = "expected a list entry starting with '- ', got 'null', which YAML reads as null"
    cases = {
        f"{TOOL_LINE}\n---\n{TOOL_LINE}\n": (2, 1, second),
        f"{TOOL_LINE}\n--- # next\n{TOOL_LINE}\n": (2, 1, second),
        f"---\n---\n{TOOL_LINE}\n": (2, 1, second),
        f"{TOOL_LINE}\n...\n": (2, 1, end),
        f"# c\n...\n{TOOL_LINE}\n": (2, 1, end),
        f"--- # x\n...\n{TOOL_LINE}\n": (2, 1, end),
        f"{TOOL_LINE}\n# a comment\nnull\n{TOOL_LINE}\n": (3, 1, null),
        f"{TOOL_LINE}\n  ~\n": (2, 3, "got '~', which YAML reads as null: delete this line"),
        f"null\n{TOOL_LINE}\n": (1, 1, null),
        f"--- []\n{TOOL_LINE}\n": (1, 1, "'---' with something after it cannot start a log"),
    }
    for text, (line, column, message) in cases.items():
        [(got_line, got_column, got_message)] = log_problems(text)
        assert (got_line, got_column) == (line, column), text
        assert message in got_message, (text, got_message)
        assert not isinstance(yaml_list_or_none(text), list) or len(yaml_list_or_none(text)) != 2


def yaml_list_or_none(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def test_a_document_start_at_the_top_and_a_whole_file_null_are_fine() -> None:
    for text in (
        f"---\n{TOOL_LINE}\n",
        f"# c\n--- # the log\n# more\n{TOOL_LINE}\n",
        f"%YAML 1.1\n---\n{TOOL_LINE}\n",
        f"{TOOL_LINE}\n- metric: m\n  note: |\n    --- indented in a note\n",
    ):
        assert log_problems(text) == [], text
    for text in ("null\n", "~\n", "# none yet\nnull  # really\n", "---\n", "--- []\n"):
        doc = parse_log(text, "a.yaml")
        assert doc.problems == [] and doc.data == [], text


LOG_LINES = [
    TOOL_LINE, TOOL_LINE.replace("01-31", "02-29"), "---", "--- # c", "...", "null", "~", "",
    "# comment", "[]", "- metric: m", "  date: 2020-03-31", "- {metric: m, value: 2}", "-",
    "%YAML 1.1", "  - metric: m",
]  # fmt: skip


@pytest.mark.slow  # hypothesis
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LOG_LINES), max_size=8), st.booleans())
def test_a_log_the_reader_accepts_is_the_list_yaml_reads(lines: list[str], final: bool) -> None:
    """Whatever the mix of lines, a log read without problems is one YAML document holding
    a list of the same length (or nothing at all), as an editor or yaml.safe_load sees it."""
    text = "\n".join(lines) + ("\n" if final else "")
    doc = parse_log(text, "a.yaml")
    if doc.problems or not isinstance(doc.data, list):
        return
    via_yaml = yaml.safe_load(text)  # raises if the file is not one YAML document
    assert (via_yaml is None and doc.data == []) or len(via_yaml) == len(doc.data), text
