"""Pure checks of what an upload declares and holds: the name, the content type, the size, the first bytes."""

from __future__ import annotations

import codecs
import unicodedata

from tailrun_functions import defaults
from tailrun_functions.errors import PayloadTooLarge, UnsupportedMediaType

# Unicode categories refused in names: controls, format characters (bidi overrides spoof names), surrogates,
# private use, unassigned, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "application/gzip": (b"\x1f\x8b",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
TEXT_TYPES = frozenset({"application/json", "application/x-ndjson"})


def clean_name(raw: str) -> str:
    """The name normalised (Unicode NFC) if it is safe as a relative object path; ValueError says why not.

    Refused: empty, over ``defaults.MAX_NAME_BYTES`` bytes, control or invisible format characters, backslashes, a leading
    ``/``, empty, ``.`` or ``..`` segments (so no traversal and no ``a//b``), more than ``defaults.MAX_NAME_DEPTH`` segments."""
    try:
        name = unicodedata.normalize("NFC", raw)
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError("the name must be valid UTF-8 text") from None
    if not name or size > defaults.MAX_NAME_BYTES:
        raise ValueError(f"the name must be 1 to {defaults.MAX_NAME_BYTES} bytes of UTF-8, got {size}")
    bad = next((ch for ch in name if unicodedata.category(ch) in REFUSED_CATEGORIES), None)
    if bad is not None:
        raise ValueError(f"the name contains the control or format character U+{ord(bad):04X}")
    if "\\" in name:
        raise ValueError(f"the name must use / between folders, not backslashes: {name!r}")
    if name.startswith("/"):
        raise ValueError(f"the name must be relative, got {name!r}")
    segments = name.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise ValueError(f"the name must not have empty, '.' or '..' segments: {name!r}")
    if len(segments) > defaults.MAX_NAME_DEPTH:
        raise ValueError(f"the name is more than {defaults.MAX_NAME_DEPTH} folders deep")
    return name


def check_type(content_type: str, allowed: tuple[str, ...]) -> None:
    """Refuse (415) a content type that is not on the allow-list; parameters such as charset are refused too."""
    if content_type not in allowed:
        raise UnsupportedMediaType(
            f"content type {content_type!r} is not allowed; use one of {', '.join(allowed)}",
            code="type_not_allowed",
        )


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise PayloadTooLarge(f"the file is {size} bytes; the limit is {limit}", code="too_large")


def content_matches(content_type: str, head: bytes, complete: bool) -> bool:
    """Whether the first bytes of a file are plausible for its type: the magic number of binary formats; for text,
    UTF-8 without NUL bytes (``complete`` says whether ``head`` is the whole file, so a character cut at the end
    of a partial head is not held against it)."""
    if content_type in MAGIC:
        return head.startswith(MAGIC[content_type])
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if content_type.startswith("text/") or content_type in TEXT_TYPES:
        if not head:
            return complete  # an empty text file is fine, as long as it really is empty
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        except UnicodeDecodeError:
            return False
        return "\x00" not in text
    return False
