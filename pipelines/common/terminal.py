r"""Text from posts and dead letters made safe to print on an operator's terminal.

Post texts, handles and dead-letter previews are written by whoever posted them. Printed as
they are, an ESC sequence can recolour or clear the screen, move the cursor to overwrite what
was printed before, set the window title or (in some terminals) write to the clipboard; a bidi
override (U+202E) makes text read in another order than it is stored. ``printable`` shows each
such character as a visible escape instead (``\x1b``, ``\u202e``), so the operator sees what
is there and the terminal does nothing with it.
"""

from __future__ import annotations

from functools import lru_cache

_NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_ESCAPED = (
    *range(0x00, 0x20),  # C0 controls, ESC (0x1b) among them
    0x7F,  # DEL
    *range(0x80, 0xA0),  # C1 controls: 0x9b is a one-byte CSI, 0x9d a one-byte OSC in some terminals
    *range(0x202A, 0x202F),  # bidi embeddings and overrides: LRE, RLE, PDF, LRO, RLO
    *range(0x2066, 0x206A),  # bidi isolates: LRI, RLI, FSI, PDI
    0x2028, 0x2029,  # line and paragraph separators: a line break where none is expected
    *range(0xD800, 0xE000),  # lone surrogates: printing one raises UnicodeEncodeError
)


def _escape(code: int) -> str:
    if code in _NAMED:
        return _NAMED[code]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_TABLE = {code: _escape(code) for code in _ESCAPED}


@lru_cache(maxsize=8)
def _table(keep: str) -> dict[int, str]:
    return {code: text for code, text in _TABLE.items() if chr(code) not in keep}


def printable(text: str, keep: str = "") -> str:
    r"""``text`` with every control character, bidi control and lone surrogate shown as an escape.

    C0 and C1 controls, DEL, ESC, U+202A–U+202E, U+2066–U+2069, U+2028/U+2029 and lone
    surrogates become ``\x1b``, ``\u202e`` and the like (``\n``, ``\t``, ``\r`` for those
    three); characters in ``keep`` (say ``"\n"`` for multi-line output) are left as they are.
    Everything else is unchanged: letters of any script, emoji with their joiners, and the
    backslash itself (a post that spells ``\x1b`` out reads the same as an escaped ESC; it is
    only text either way).
    """
    return text.translate(_table(keep) if keep else _TABLE)
