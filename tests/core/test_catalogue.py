"""The translation catalogues are complete and compiled.

Every entry of every locale/*/LC_MESSAGES/*.po has a translation and no
`fuzzy` flag (a fuzzy entry is left out of the .mo, so the page falls back to
English), and each .mo holds exactly what its .po says: a .po edited without
compilemessages shows the old text to users.
"""

import ast
import gettext
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


@dataclass
class Entry:
    line: int
    flags: set = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)  # {index: text}; index 0 without plural

    @property
    def key(self):
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for what makemessages writes (no polib here)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target = None  # (attribute, index) the continuation lines append to

    def finish():
        if current is not None and (current.msgid or current.msgstr):
            entries.append(current)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            continue  # obsolete: ignored by msgfmt, and makemessages --no-obsolete drops them
        if not line:
            finish()
            current, target = None, None
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            keyword, _space, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                target = ("msgstr", int(keyword[7:-1]))
            elif keyword == "msgstr":
                target = ("msgstr", 0)
            else:
                target = (keyword, None)
                setattr(current, keyword, "")
        attribute, index = target
        if attribute == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + text
        else:
            setattr(current, attribute, getattr(current, attribute) + text)
    finish()
    return entries


def catalogue_id(path: Path) -> str:
    return str(path.relative_to(LOCALE_DIR))


def test_there_are_chinese_and_english_catalogues():
    names = {catalogue_id(path) for path in CATALOGUES}
    assert "zh_Hans/LC_MESSAGES/django.po" in names
    assert "en/LC_MESSAGES/django.po" in names


@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_id)
def test_every_entry_is_translated_and_none_is_fuzzy(po):
    problems = []
    for entry in parse_po(po):
        if "fuzzy" in entry.flags:
            problems.append(f"line {entry.line}: fuzzy: {entry.msgid!r}")
        elif entry.msgid and not all(entry.msgstr.values()):
            problems.append(f"line {entry.line}: untranslated: {entry.msgid!r}")
    assert not problems, f"{catalogue_id(po)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_id)
def test_compiled_catalogue_matches_its_po(po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{catalogue_id(mo)} missing: run compilemessages"
    with mo.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    compiled.pop("", None)  # the header
    expected = {}
    for entry in parse_po(po):
        if not entry.msgid or "fuzzy" in entry.flags:
            continue
        if not all(entry.msgstr.values()):
            continue  # msgfmt leaves untranslated entries out (the other test names them)
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(entry.key, index)] = text
    stale = sorted(
        str(key)
        for key in expected.keys() | compiled.keys()
        if expected.get(key) != compiled.get(key)
    )
    assert not stale, (
        f"{catalogue_id(mo)} is out of date with its .po (run compilemessages): "
        + ", ".join(stale[:20])
    )


def test_the_parser_sees_plurals_context_and_fuzzy_flags(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "One %(n)s"\nmsgstr "一个"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr ""\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] ""\n"%(n)s 天"\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    header, fuzzy, context, plural = parse_po(po)
    assert header.msgid == "" and "Language" in header.msgstr[0]
    assert "fuzzy" in fuzzy.flags and fuzzy.msgid == "One %(n)s"
    assert context.key == "month\x04May" and context.msgstr == {0: ""}
    assert plural.msgid_plural == "%(n)s days" and plural.msgstr == {0: "%(n)s 天"}
