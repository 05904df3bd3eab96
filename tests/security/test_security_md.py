"""SECURITY.md stays true: every test it names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def named_tests(text: str) -> list[tuple[str, str]]:
    """(file, test) pairs; "::name" alone means the file named just before it."""
    pairs, current = [], None
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", text):
        if path:
            current = path
        if name:
            pairs.append((current, name))
    return pairs


def test_every_test_security_md_names_exists():
    text = (ROOT / "SECURITY.md").read_text()
    pairs = named_tests(text)
    assert len(pairs) > 30
    missing = [
        f"{path}::{name}"
        for path, name in pairs
        if path is None
        or not (ROOT / path).exists()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert not missing, f"SECURITY.md names tests that do not exist: {missing}"


def test_every_file_security_md_names_exists():
    text = (ROOT / "SECURITY.md").read_text()
    files = set(re.findall(r"`(tests/[\w/]+\.py|[\w/]+\.py)", text))
    assert not [f for f in files if not (ROOT / f).exists()]
