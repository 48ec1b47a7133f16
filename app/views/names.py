"""Racers' names cut to fit a legend column or a table cell, so that they still tell the racers apart."""
from __future__ import annotations


def _elide(text: str, keep: int, mode: str) -> str:
    if len(text) <= keep:
        return text
    if mode == "end":
        return text[:max(1, keep)].rstrip() + "…"
    if mode == "start":
        return "…" + text[-max(1, keep):].lstrip()
    if mode == "word":  # the first word, short, and as much of the end as fits
        head = len(text.split()[0][:max(1, keep // 3)]) if text.split() else 1
        return text[:head] + "…" + text[-max(1, keep - head):].lstrip()
    head = max(1, keep * 2 // 5)
    tail = max(1, keep - head)
    return text[:head].rstrip() + "…" + text[-tail:].lstrip()


def keeps_for(texts: list[str], widths: list[float], room: float | None) -> list[int]:
    """How many characters of each text fit `room` pixels, from its drawn width (all of it
    when `room` is None or it fits)."""
    return [len(text) if room is None or width <= room else max(4, int(len(text) * room / width) - 1)
            for text, width in zip(texts, widths)]


def elide_apart(texts: list[str], keeps: list[int]) -> list[str]:
    """Each text in at most its `keep` characters and an ellipsis, cut where the names stay
    apart: the end first, as a name is read from its start ("lr 0.02 (too…", "lr 0.25 (ri…");
    then the middle, for names that differ only at the end ("GD from (0.3, -0.4)", "GD from
    (0.2, -1.4)"); then the first word and the end ("GD….3, -0.4)", "Ne….3, -0.4)"); then the
    start. Names cut alike would leave two racers unnamed."""
    for mode in ("end", "middle", "word", "start"):
        choice = [_elide(text, keep, mode) for text, keep in zip(texts, keeps)]
        if len(set(choice)) == len(set(texts)):
            return choice
    return [_elide(text, keep, "middle") for text, keep in zip(texts, keeps)]
