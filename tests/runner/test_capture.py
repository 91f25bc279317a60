"""Splitting a stream into lines: newlines, carriage returns, cuts, bad UTF-8 and ``::progress`` lines."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from tailrun_runner.capture import LineSplitter, Progress, RawLine, decode, encode_line, parse_progress


def splitter(cap: int = 100, cr_interval_s: float = 2.0) -> LineSplitter:
    return LineSplitter(max_line_bytes=cap, cr_interval_s=cr_interval_s)


def feed_all(s: LineSplitter, *chunks: bytes) -> list[RawLine]:
    lines = [line for chunk in chunks for line in s.feed(chunk, 0.0)]
    return lines + s.finish()


def test_lines_split_across_reads_are_joined():
    assert feed_all(splitter(), b"he", b"llo\nwor", b"ld\n") == [RawLine(b"hello"), RawLine(b"world")]


def test_a_last_line_without_newline_is_partial():
    assert feed_all(splitter(), b"a\nb") == [RawLine(b"a"), RawLine(b"b", partial=True)]


def test_empty_lines_are_lines_and_a_closed_empty_stream_has_none():
    assert feed_all(splitter(), b"\n\nx\n") == [RawLine(b""), RawLine(b""), RawLine(b"x")]
    assert feed_all(splitter()) == []


def test_a_long_line_is_cut_at_the_cap_and_the_rest_discarded_across_reads():
    lines = feed_all(splitter(cap=10), b"0123456", b"789abcdef", b"ghij\nnext\n")
    assert lines == [RawLine(b"0123456789", cut=True), RawLine(b"next")]


def test_a_long_line_within_one_read_is_cut_too():
    assert feed_all(splitter(cap=4), b"ok\nabcdefgh\nok\n")[1] == RawLine(b"abcd", cut=True)


def test_carriage_returns_keep_the_last_non_empty_segment():
    assert feed_all(splitter(), b"\r10%\r50%", b"\r100%\n") == [RawLine(b"100%")]
    assert feed_all(splitter(), b"windows\r\n") == [RawLine(b"windows")]
    assert feed_all(splitter(), b"done\r\r\n\r\n") == [RawLine(b"done"), RawLine(b"")]


def test_a_line_rewritten_for_long_is_sent_once_per_interval_then_its_final_state():
    s = splitter(cr_interval_s=2.0)
    assert s.feed(b"\r10%", 0.0) == []
    assert s.due() is None  # no completed segment yet: nothing to show
    assert s.feed(b"\r20%", 0.5) == []
    assert s.due() == 2.0
    assert s.poll(1.9) == []
    assert s.poll(2.0) == [RawLine(b"10%")]
    assert s.due() is None  # unchanged since sent
    s.feed(b"\r30%\r", 3.0)
    assert s.poll(3.9) == []
    assert s.poll(4.0) == [RawLine(b"30%")]
    assert s.feed(b"\n", 4.5) == []  # the final state is the one already sent
    assert s.due() is None


def test_a_rewritten_line_that_ends_quickly_is_sent_once():
    s = splitter(cr_interval_s=2.0)
    assert s.feed(b"\r1\r2\r3", 0.0) == []
    assert s.poll(1.0) == []
    assert s.feed(b"\n", 1.5) == [RawLine(b"3")]


def test_cut_text_ending_inside_a_character_is_not_called_invalid():
    text, invalid = decode("é".encode() * 3 + b"\xc3", cut=True)
    assert (text, invalid) == ("ééé", False)
    text, invalid = decode(b"\xff ok \xc3", cut=True)
    assert (text, invalid) == ("\ufffd ok ", True)
    assert decode(b"\xc3", cut=False) == ("\ufffd", True)


def test_progress_lines_parse_and_near_misses_do_not():
    assert parse_progress(b"::progress 40 Parsing input") == Progress(40, "Parsing input")
    assert parse_progress(b"::progress 12.5% ") == Progress(12.5, "")
    assert parse_progress(b"::progress 100") == Progress(100, "")
    for line in (
        b"::progress",
        b"::progress lots",
        b"::progress 101 x",
        b"::progressive 5",
        b" ::progress 5",
    ):
        assert parse_progress(line) is None, line


def test_encoded_lines_are_json_with_only_the_flags_that_apply():
    entry = json.loads(encode_line(7, "stderr", 123, RawLine(b'say "hi"\x00\xff', cut=True, partial=True)))
    assert entry == {
        "line": 7,
        "stream": "stderr",
        "ts": 123,
        "text": 'say "hi"\x00\ufffd',
        "cut": True,
        "invalid_utf8": True,
        "partial": True,
    }
    assert json.loads(encode_line(0, "stdout", 1, RawLine("ü".encode()))) == {
        "line": 0,
        "stream": "stdout",
        "ts": 1,
        "text": "ü",
    }


@given(
    st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")), max_size=30),
    st.lists(st.integers(min_value=1, max_value=17), min_size=1, max_size=10),
)
def test_any_chunking_gives_the_lines_that_were_written(lines, cuts):
    data = b"".join(line + b"\n" for line in lines)
    chunks, position, i = [], 0, 0
    while position < len(data):
        size = cuts[i % len(cuts)]
        chunks.append(data[position : position + size])
        position, i = position + size, i + 1
    expected = [RawLine(line[:16], cut=len(line) > 16) for line in lines]
    assert feed_all(splitter(cap=16), *chunks) == expected
