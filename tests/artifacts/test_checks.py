"""Pure checks of names and content, with generated inputs for the name rules."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tailrun_functions.artifacts.checks import REFUSED_CATEGORIES, clean_name, content_matches
from tailrun_functions.defaults import MAX_NAME_BYTES


@given(st.text(max_size=300))
def test_every_accepted_name_is_a_safe_relative_path(raw: str) -> None:
    try:
        name = clean_name(raw)
    except ValueError:
        return
    assert name == unicodedata.normalize("NFC", name)
    assert 0 < len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not name.startswith("/") and "\\" not in name
    assert all(segment not in ("", ".", "..") for segment in name.split("/"))
    assert not any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in name)


@given(st.lists(st.sampled_from(["a", "..", ".", "", "b c", "é"]), min_size=1, max_size=6))
def test_names_built_from_traversal_segments(segments: list[str]) -> None:
    raw = "/".join(segments)
    if any(segment in ("", ".", "..") for segment in segments):
        with pytest.raises(ValueError):
            clean_name(raw)
    else:
        assert clean_name(raw) == unicodedata.normalize("NFC", raw)


def test_names_are_normalised_to_nfc() -> None:
    decomposed = "re\u0301sume\u0301.txt"

    assert clean_name(decomposed) == "résumé.txt"


def test_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(ValueError, match="UTF-8"):
        clean_name("a\ud800.txt")


@pytest.mark.parametrize(
    ("content_type", "head", "complete", "ok"),
    [
        ("image/png", b"\x89PNG\r\n\x1a\nrest", True, True),
        ("image/png", b"GIF89a", True, False),
        ("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", False, True),
        ("application/pdf", b"%PDF-1.7\n", False, True),
        ("application/zip", b"PK\x03\x04", False, True),
        ("text/plain", "héllo".encode(), True, True),
        ("text/plain", "héllo".encode()[:2], False, True),  # a character cut by the head, not by the file
        ("text/plain", "héllo".encode()[:2], True, False),  # the file really ends inside a character
        ("text/csv", b"a,b\x00", True, False),
        ("application/json", b"\xff\xfe{}", True, False),
        ("text/plain", b"", True, True),
        ("image/png", b"", True, False),
        ("text/plain", b"", False, False),
    ],
)
def test_content_must_match_its_type(content_type: str, head: bytes, complete: bool, ok: bool) -> None:
    assert content_matches(content_type, head, complete) is ok
