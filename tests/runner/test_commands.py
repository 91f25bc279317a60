"""Workflow commands parsed from one line (``commands.parse``): GitHub's syntax, escapes, properties, and every
malformed or unknown line left alone (None: it stays an ordinary line)."""

from __future__ import annotations

import json

import pytest
from tailrun_runner import commands
from tailrun_runner.commands import AddMask, Event
from tailrun_runner.defaults import RESULT_MAX_BYTES


def event(line: str | bytes) -> Event:
    parsed = commands.parse(line)
    assert isinstance(parsed, Event), parsed
    return parsed


def test_groups_open_with_a_title_and_close():
    assert event("::group::Installing deps") == Event("group", {"title": "Installing deps"})
    assert event(b"::endgroup::") == Event("endgroup", {})
    assert event("::group::") == Event("group", {"title": ""})


def test_an_annotation_carries_its_level_message_and_properties_as_given():
    parsed = event("::error file=src/app.py,line=12,col=5,endLine=14,endColumn=2,title=Type error::bad call")
    assert parsed == Event(
        "annotation",
        {
            "level": "error",
            "message": "bad call",
            "file": "src/app.py",
            "line": 12,
            "col": 5,
            "end_line": 14,
            "end_column": 2,
            "title": "Type error",
        },
    )
    assert event("::warning::careful") == Event("annotation", {"level": "warning", "message": "careful"})
    assert event("::notice end_line=3 , line=1::n").fields == {
        "level": "notice",
        "message": "n",
        "end_line": 3,
        "line": 1,
    }


def test_escapes_are_decoded_in_the_message_and_more_of_them_in_properties():
    parsed = event("::error title=a%3Ab%2Cc%25,file=x%0Ay::100%25 done%0Anext line%0D%250A")
    assert parsed.fields["title"] == "a:b,c%"
    assert parsed.fields["file"] == "x\ny"
    assert parsed.fields["message"] == "100% done\nnext line\r%0A"  # one pass: %250A is a literal %0A
    assert event("::warning::a%3Ab").fields["message"] == "a%3Ab"  # %3A is a property escape only


def test_the_name_is_case_insensitive_and_leading_blanks_are_skipped_as_github_does():
    assert event("  ::ERROR::x").fields == {"level": "error", "message": "x"}
    assert event("\t::Group::T") == Event("group", {"title": "T"})


def test_unknown_properties_are_ignored_and_absent_ones_absent():
    assert event("::error color=red,file=a.py::m").fields == {
        "level": "error",
        "message": "m",
        "file": "a.py",
    }


@pytest.mark.parametrize(
    "line",
    [
        "::error line=twelve::bad number",
        "::error line=-1::negative",
        "::error line=1.5::not an int",
        "::error file::no equals sign",
        "::error file=a.py no closing separator",
        "::errorfile=a.py::no blank after the name",
        "::grup::spelled wrong",
        "::debug::not a command tailrun knows",
        "::set-output name=x::1",
        "::stop-commands::token",
        "::add-mask::",
        "::add-mask::   ",
        "::step",
        "::step   ",
        "::stepping ahead",
        "::url",
        "::url two words",
        "::result",
        "::result {not json",
        "::result NaN",
        "::result [Infinity]",
        "::result 1 2",
        ":: group::x",
        ":error::single colon",
        "error::no colons first",
        "plain text",
        "",
        "::",
        "::progress 50 half",  # capture's, not a command here
        "::artifact out.txt",
    ],
)
def test_malformed_and_unknown_lines_are_no_command(line):
    assert commands.parse(line) is None


def test_add_mask_gives_the_value_with_its_escapes_decoded():
    assert commands.parse("::add-mask::s3cr3t") == AddMask("s3cr3t")
    assert commands.parse("::add-mask::two%0Alines") == AddMask("two\nlines")
    assert commands.parse("::add-mask::ab") == AddMask("ab")  # any length: the job asked for it


def test_step_url_and_result_take_both_spellings():
    assert event("::step installing") == event("::step::installing") == Event("step", {"text": "installing"})
    assert event("::url https://example.com/a?b=c") == Event("url", {"url": "https://example.com/a?b=c"})
    assert event("::url::about:blank") == Event("url", {"url": "about:blank"})
    assert event('::result {"ok": true, "n": [1, 2]}') == Event(
        "result", {"value": {"ok": True, "n": [1, 2]}}
    )
    assert event("::result::42") == Event("result", {"value": 42})
    assert event('::result "text"') == Event("result", {"value": "text"})
    assert event("::result null") == Event("result", {"value": None})
    assert event("::step  two  blanks  ").fields == {"text": "two  blanks"}


def test_a_result_over_64_kib_is_a_cut_event_with_its_size():
    value = ["x" * 1000] * 70
    size = len(json.dumps(value, separators=(",", ":")))
    assert size > RESULT_MAX_BYTES
    assert event("::result " + json.dumps(value)) == Event("result", {"cut": True, "bytes": size})
    fits = "y" * (RESULT_MAX_BYTES - 2)
    assert event(f'::result "{fits}"') == Event("result", {"value": fits})


def test_a_deeply_nested_result_is_no_command_rather_than_a_crash():
    assert commands.parse("::result " + "[" * 100_000 + "]" * 100_000) is None


def test_invalid_utf8_in_a_command_line_is_replaced_not_fatal():
    assert event(b"::group::caf\xff").fields == {"title": "caf\ufffd"}
