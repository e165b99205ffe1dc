"""Issue 32: an --out holding a user's own files, or a symbolic link, is refused before
anything is written; `--reuse-folder` lets a run write beside such files."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments import compare
from experiments.folder import ExperimentError, check_folder

ROOT = Path(__file__).resolve().parents[1]
TINY = str(ROOT / "tests" / "data" / "small_road.json")


def _users_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "paper"
    (folder / "tables").mkdir(parents=True)
    (folder / "report.md").write_text("my own notes")
    (folder / "results.csv").write_text("mine,1\n")
    return folder


def test_a_folder_of_other_files_is_refused_and_left_as_it_was(tmp_path, capsys):
    folder = _users_folder(tmp_path)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert compare.main(["--instances", TINY, "--out", str(folder), "--iterations", "5"]) == 2
    err = capsys.readouterr().err
    assert "holds files that are not an experiment (report.md, results.csv, tables)" in err
    assert "--reuse-folder" in err and len(err.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_reuse_folder_accepts_it(tmp_path):
    check_folder(_users_folder(tmp_path), resume=False, reuse=True)


def test_an_empty_folder_is_taken(tmp_path):
    check_folder(tmp_path, resume=False)


@pytest.mark.parametrize("resume", [False, True])
def test_a_symbolic_link_in_the_folder_is_refused(tmp_path, resume):
    folder = tmp_path / "out"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "figures").symlink_to(elsewhere)
    (folder / "results.sqlite").write_bytes(b"")
    with pytest.raises(ExperimentError, match="figures is a symbolic link"):
        check_folder(folder, resume=resume, reuse=True)
