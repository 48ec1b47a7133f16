"""Where a key of a TOML text is written: tomllib reports no lines for values, so we find them.

A problem's line is found by scanning the text for the key inside its table (`[surface]`, the
n-th `[[optimizers]]`, ...). That is a best effort: a key written inline
(`hyperparameters = {lr = 0.1}`) is reported at the line of the enclosing key, and a missing
key at its table's header.
"""
from __future__ import annotations

import re

KeyPath = tuple  # of str (table keys) and int (array indices)

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")


def format_key(path: KeyPath) -> str:
    """('optimizers', 2, 'hyperparameters', 'lr') -> 'optimizers[2].hyperparameters.lr'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _split_dotted(name: str) -> list[str]:
    return [part.strip().strip('"').strip("'") for part in name.split(".")]


class LineIndex:
    """Maps key paths to line numbers by scanning the TOML text's table headers."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.sections: list[tuple[KeyPath, int, int]] = []  # (path, header line, last line), 1-based
        array_index: dict[tuple[str, ...], int] = {}
        current: KeyPath = ()
        start = 1
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if not match:
                continue
            self.sections.append((current, start, number - 1))
            names = _split_dotted(match.group(2))
            is_array = match.group(1) == "[["
            if is_array:
                array_index[tuple(names)] = array_index.get(tuple(names), -1) + 1
                # a new array element forgets sub-arrays of the previous element
                for key in [k for k in array_index if len(k) > len(names) and k[:len(names)] == tuple(names)]:
                    del array_index[key]
            path: list = []
            for i in range(len(names)):
                path.append(names[i])
                prefix = tuple(names[: i + 1])
                if prefix in array_index:
                    path.append(array_index[prefix])
            current, start = tuple(path), number
        self.sections.append((current, start, len(self.lines)))

    def line_of(self, path: KeyPath) -> int | None:
        """The 1-based line that writes `path`, else its table's header; None if neither is found."""
        best = None
        for section_path, first, last in self.sections:
            n = len(section_path)
            if tuple(path[:n]) == section_path and (best is None or n > len(best[0])):
                best = (section_path, first, last)
        if best is None:
            return None
        section_path, first, last = best
        keys = []
        for part in path[len(section_path):]:
            if isinstance(part, int):
                break
            keys.append(part)
        # Try the longest dotted key first (`hyperparameters.lr = ...`), then shorter ones.
        for length in range(len(keys), 0, -1):
            pattern = r"\s*\.\s*".join(rf"[\"']?{re.escape(k)}[\"']?" for k in keys[:length])
            regex = re.compile(rf"^\s*{pattern}\s*[.=]")
            for number in range(first, last + 1):
                if number - 1 < len(self.lines) and regex.match(self.lines[number - 1]):
                    return number
        return first if section_path else None
