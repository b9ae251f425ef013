"""The English catalogue holds each message once: every helper appends to the same file, and a
merge that keeps both sides leaves a second copy that gettext tools refuse (msgfmt: duplicate
message definition) and that can silently carry a different translation."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

CATALOG = Path(__file__).parents[2] / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
ENTRY = re.compile(r'^(?:msgctxt "((?:[^"\\]|\\.)*)"\n)?msgid "((?:[^"\\]|\\.)*)"\n'
                   r'((?:"(?:[^"\\]|\\.)*"\n)*)', re.M)


def entries(text: str) -> list[tuple[str, str]]:
    """(context, msgid) of every entry, the msgid's continuation lines joined."""
    found = []
    for context, first, rest in ENTRY.findall(text):
        more = "".join(line[1:-1] for line in rest.splitlines())
        found.append((context, first + more))
    return found


def test_the_entry_reader_sees_a_duplicate():
    text = 'msgid "Waarom"\nmsgstr "Why"\n\nmsgid ""\n"Waar"\n"om"\nmsgstr "Why"\n'
    assert Counter(entries(text))[("", "Waarom")] == 2


def test_every_message_is_in_the_english_catalogue_once():
    counts = Counter(entries(CATALOG.read_text(encoding="utf-8")))
    assert len(counts) > 1000
    assert [key for key, n in counts.items() if n > 1 and key != ("", "")] == []
