"""The city index is folded once per machine and read back the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from communique.text import gazetteer


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMMUNIQUE_HOME", str(tmp_path))
    gazetteer._cities.cache_clear()
    yield tmp_path / "tables"
    gazetteer._cities.cache_clear()


def test_the_index_is_stored_and_read_back_equal(fresh: Path) -> None:
    built = gazetteer._cities()
    [stored] = fresh.glob("gazetteer-*.marshal")
    gazetteer._cities.cache_clear()
    read = gazetteer._cities()
    assert read.keys() == built.keys()
    assert read["geneve"] == built["geneve"] and read["geneve"][0].name == "Geneva"
    assert gazetteer.known_city("Cenevrə") is not None
    assert stored.stat().st_size > 1_000_000


def test_a_damaged_index_file_is_built_again(fresh: Path) -> None:
    gazetteer._cities()
    [stored] = fresh.glob("gazetteer-*.marshal")
    stored.write_bytes(b"not an index")
    gazetteer._cities.cache_clear()
    assert gazetteer.known_city("Den Haag") is not None
    assert stored.stat().st_size > 1_000_000  # written anew
