"""Faults around a run, not in its input: the output folder, the store, the lock,
changed instance files, signals, a full disk and a lost Dask scheduler. Each gets one
line on stderr and a non-zero exit; nothing is stored that `--resume` would not redo,
and nothing half-made blocks a retry."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from experiments import compare
from experiments.store import STORE_NAME, Store
from lastmile import InstanceError, load_instance

ROOT = Path(__file__).resolve().parents[1]
COMPARE = ROOT / "experiments" / "compare.py"

# Eight customers around a central depot; two vehicles of 20.
TINY_VRP = """NAME : faults-n9-k2
COMMENT : a tiny CVRP for the run-fault tests
TYPE : CVRP
DIMENSION : 9
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 20
NODE_COORD_SECTION
1 50 50
2 10 10
3 90 10
4 90 90
5 10 90
6 50 10
7 90 50
8 50 90
9 10 50
DEMAND_SECTION
1 0
2 4
3 5
4 3
5 6
6 2
7 4
8 5
9 3
DEPOT_SECTION
1
-1
EOF
"""


def run_compare(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(COMPARE), *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def one_line(stderr: str) -> str:
    """The command's only stderr line (a fault before any run starts)."""
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    return stderr.strip()


def last_line(stderr: str) -> str:
    """The last stderr line of a run that had started (progress lines come before it)."""
    assert "Traceback" not in stderr, stderr[-3000:]
    return stderr.strip().splitlines()[-1]


def small_args(instance: Path, out: Path, *more: str) -> list[str | Path]:
    return ["--instances", instance, "--solvers", "ga", "--seeds", "2", "--iterations", "20", "--out", out, *more]


def statuses(folder: Path) -> list[str]:
    with sqlite3.connect(f"file:{folder / STORE_NAME}?mode=ro", uri=True) as db:
        return [r[0] for r in db.execute("SELECT status FROM runs ORDER BY instance, region, solver, seed")]


def rows(folder: Path) -> list[tuple[object, ...]]:
    """The stored runs without the columns that depend on the clock."""
    with sqlite3.connect(f"file:{folder / STORE_NAME}?mode=ro", uri=True) as db:
        query = "SELECT instance, region, solver, seed, objective, status, routes FROM runs ORDER BY 1, 2, 3, 4"
        return db.execute(query).fetchall()


def stored_now(folder: Path) -> int:
    """Runs stored so far by a running experiment (0 while its store is being made)."""
    try:
        return len(statuses(folder))
    except sqlite3.OperationalError:
        return 0


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "faults.vrp"
    path.write_text(TINY_VRP)
    return path


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One finished experiment (its instance file, its folder), copied by the tests."""
    base = tmp_path_factory.mktemp("finished")
    path = base / "faults.vrp"
    path.write_text(TINY_VRP)
    done = run_compare(*small_args(path, base / "run", "--workers", "1"))
    assert done.returncode == 0, done.stderr[-2000:]
    return path, base / "run"


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


# --- the output folder ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["file", "unwritable"])
def test_an_out_that_cannot_take_the_experiment_is_refused_up_front(kind, instance, tmp_path):
    if kind == "file":
        out = tmp_path / "taken.txt"
        out.write_text("a file")
        expected = "is a file, not a folder"
    else:
        out = Path("/proc/lastmile-cannot-be-made/out")  # refused even to root
        expected = "cannot write there"
    done = run_compare(*small_args(instance, out))
    assert done.returncode == 2 and done.stdout == ""
    assert f"--out {out}: {expected}" in one_line(done.stderr)


def test_resume_of_a_folder_that_holds_no_experiment_says_so(instance, tmp_path):
    out = tmp_path / "never-made"
    done = run_compare(*small_args(instance, out, "--resume"))
    assert done.returncode == 2 and "holds no experiment" in one_line(done.stderr)
    assert not out.exists()


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_time_limit_must_be_finite(value, instance, tmp_path):
    done = run_compare(*small_args(instance, tmp_path / "out", "--time-limit", value))
    assert done.returncode == 2 and f"--time-limit: {value} is not a finite number" in one_line(done.stderr)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("address", ["nonsense", "tcp://127.0.0.1:{port}"])
def test_a_bad_scheduler_address_leaves_no_folder_behind(address, instance, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "out"
    done = run_compare(*small_args(instance, out, "--scheduler", address.format(port=port)))
    assert done.returncode == 2 and "--scheduler" in one_line(done.stderr)
    assert not out.exists()
    retry = run_compare(*small_args(instance, out, "--workers", "1"))  # the same folder, now without the cluster
    assert retry.returncode == 0, retry.stderr[-2000:]


# --- the store -----------------------------------------------------------------------


def _damage(kind: str, store: Path) -> str:
    if kind == "empty":
        store.write_bytes(b"")
        return "empty, not an experiment's results"
    if kind == "garbage":
        store.write_bytes(os.urandom(3000))
        return "not an SQLite database"
    if kind == "foreign":
        store.unlink()
        with sqlite3.connect(store) as db:
            db.execute("CREATE TABLE birds (name TEXT)")
        return "an SQLite file, but not an experiment's results (no meta, runs, tables table)"
    if kind == "columns":  # the store's table names, other columns
        store.unlink()
        with sqlite3.connect(store) as db:
            for table in ("runs", "tables", "meta"):
                db.execute(f"CREATE TABLE {table} (a TEXT)")
        return "its runs table lacks instance, region, solver, seed"
    if kind == "edited":  # an experiment's store whose stage tables were edited by hand
        with sqlite3.connect(store) as db:
            db.execute("UPDATE tables SET data = 'not json'")
            db.execute("UPDATE runs SET routes = '[[', trace = '{{'")
        db.close()
        return "its contents are not an experiment's"
    with open(store, "r+b") as handle:  # truncated: the first pages only
        handle.truncate(4096)
    return "damaged"


DAMAGE = [
    (kind, command)
    for kind in ("empty", "garbage", "foreign", "columns", "truncated", "edited")
    for command in ("tables.py", "figures.py", "report.py", "compare.py")
    if not (kind == "edited" and command == "compare.py")  # --resume plans again: its tables are replaced
]


@pytest.mark.parametrize(("kind", "command"), DAMAGE)
def test_a_damaged_or_foreign_store_is_named_and_left_as_it_is(kind, command, finished, tmp_path):
    folder = copy_of(finished[1], tmp_path)
    for stale in folder.glob(f"{STORE_NAME}-*"):  # WAL leftovers would mend a truncated file
        stale.unlink()
    store = folder / STORE_NAME
    expected = _damage(kind, store)
    before = store.read_bytes()
    args = small_args(finished[0], folder, "--resume") if command == "compare.py" else [folder]
    done = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / command), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith(f"error: {store}: ") and expected in line
    assert store.read_bytes() == before


# --- resuming ------------------------------------------------------------------------


def test_a_second_process_on_a_locked_folder_is_refused(finished, tmp_path):
    """Refused while another process holds the lock; free again once that process is
    killed outright (the kernel drops the lock: no stale lock file to clean up)."""
    folder = copy_of(finished[1], tmp_path)
    hold = (
        "import pathlib, sys, time\n"
        "from experiments.folder import locked\n"
        "with locked(pathlib.Path(sys.argv[1])):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(600)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, folder],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        done = run_compare(*small_args(finished[0], folder, "--resume"))
        assert done.returncode == 2 and "is in use by another process" in one_line(done.stderr)
        assert f"pid {holder.pid}" in done.stderr
    finally:
        holder.kill()
        holder.wait()
    after = run_compare(*small_args(finished[0], folder, "--resume"))
    assert after.returncode == 0, after.stderr[-2000:]


def test_resume_refuses_an_instance_file_that_changed(instance, tmp_path):
    out = tmp_path / "out"
    assert run_compare(*small_args(instance, out, "--workers", "1")).returncode == 0
    instance.write_text(TINY_VRP.replace("9 10 50", "9 12 50"))
    done = run_compare(*small_args(instance, out, "--resume"))
    assert done.returncode == 2
    assert one_line(done.stderr).startswith(f"error: {instance}: changed since the runs in {out} were made")


def test_stored_errors_are_run_again_only_when_asked(finished, tmp_path):
    folder = copy_of(finished[1], tmp_path)
    with sqlite3.connect(folder / STORE_NAME) as db:
        db.execute("UPDATE runs SET status = 'error', objective = NULL WHERE seed = (SELECT min(seed) FROM runs)")
    errors = statuses(folder).count("error")
    assert errors >= 1
    plain = run_compare(*small_args(finished[0], folder, "--resume"))
    assert plain.returncode == 0 and statuses(folder).count("error") == errors
    retried = run_compare(*small_args(finished[0], folder, "--resume", "--retry-errors"))
    assert retried.returncode == 0, retried.stderr[-2000:]
    assert "error" not in statuses(folder)
    assert rows(folder) == rows(finished[1])  # the same runs again (an iteration budget)


def test_retry_errors_needs_resume(instance, tmp_path):
    done = run_compare(*small_args(instance, tmp_path / "out", "--retry-errors"))
    assert done.returncode == 2 and "--retry-errors: retries the runs of a stored experiment" in one_line(done.stderr)
    assert not (tmp_path / "out").exists()


# --- the disk and the signals --------------------------------------------------------


def test_a_full_disk_stops_with_one_line_and_keeps_what_was_stored(instance, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    add_run = Store.add_run
    calls = []

    def fill_up(self, row):
        calls.append(row)
        if len(calls) > 1:
            raise sqlite3.OperationalError("database or disk is full")
        add_run(self, row)

    monkeypatch.setattr(Store, "add_run", fill_up)
    code = compare.main([str(a) for a in small_args(instance, out, "--workers", "1")])
    assert code == compare.EXIT_STOPPED
    assert "no space left on the device" in last_line(capsys.readouterr().err)
    assert len(statuses(out)) == 1  # the run stored before the disk filled is kept
    resumed = run_compare(*small_args(instance, out, "--resume"))
    assert resumed.returncode == 0 and len(statuses(out)) == 2


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def clock_args(instance: Path, out: Path, seeds: int, seconds: int) -> list[str | Path]:
    """GA runs on the clock: long enough to be stopped in the middle."""
    return [
        "--instances",
        instance,
        "--solvers",
        "ga",
        "--seeds",
        str(seeds),
        "--time-limit",
        str(seconds),
        "--out",
        out,
    ]


def start_compare(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(COMPARE), *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigterm_stops_the_workers_and_says_how_to_continue(instance, tmp_path):
    out = tmp_path / "out"
    process = start_compare(*clock_args(instance, out, 2, 60), "--workers", "2")
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:  # the pool's two workers (and the tracker)
            time.sleep(0.5)
            workers = [p for p in _children(process.pid) if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(workers) == 2, "the pool never started"
        time.sleep(3)  # the workers are inside their 60 s runs
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        # at once, not after the 60 s runs: the workers were stopped, not waited for
        assert time.monotonic() - signalled < 20
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == compare.EXIT_TERMINATED
    assert last_line(err) == f"interrupted: finished runs are in {out}; continue with --resume"
    time.sleep(1)
    assert not [p for p in workers if _alive(p)], "worker processes outlived the experiment"


# --- a lost Dask scheduler -----------------------------------------------------------


def _spawn(*args: str, log: Path) -> subprocess.Popen[bytes]:
    # its own session, so the whole group (a worker's nanny and its process) can be killed
    with open(log, "ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", *args], stdout=sink, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
        )


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A scheduler and one single-threaded worker on loopback."""
    from distributed import Client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    log = tmp_path / "cluster.log"
    scheduler = _spawn(
        "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard", log=log
    )
    processes = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        worker = ("distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1")
        processes.append(_spawn(*worker, log=log))
        with Client(address, timeout=10) as client:
            client.wait_for_workers(1, timeout=60)
        yield address, scheduler
    finally:
        for process in processes:
            _kill(process)


def test_a_lost_scheduler_stores_no_error_rows_and_resume_finishes(cluster, instance, tmp_path):
    address, scheduler = cluster
    out = tmp_path / "out"
    args = clock_args(instance, out, 6, 2)
    process = start_compare(*args, "--scheduler", address)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            if stored_now(out) >= 1:
                break
            time.sleep(0.1)
        assert process.poll() is None, "the experiment ended before the scheduler could be lost"
        os.kill(scheduler.pid, signal.SIGKILL)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == compare.EXIT_STOPPED
    line = last_line(err)
    assert "run(s) not done" in line and "--resume" in line
    stored = statuses(out)
    assert 1 <= len(stored) < 6 and "error" not in stored  # nothing lost is stored as an error
    resumed = run_compare(*args, "--resume", "--workers", "1")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert len(statuses(out)) == 6 and "error" not in statuses(out)


# --- names of files and patterns -----------------------------------------------------


def test_a_pattern_matching_nothing_is_named(tmp_path):
    with pytest.raises(InstanceError, match="the pattern matches no file"):
        compare.expand([str(tmp_path / "*.vrp")])


def test_a_folder_named_like_an_instance_is_not_a_missing_file(tmp_path):
    (tmp_path / "x.json").mkdir()
    with pytest.raises(InstanceError, match="is a folder, not an instance file"):
        load_instance(tmp_path / "x.json")


def test_a_hash_sign_in_a_file_name_is_part_of_the_name(tmp_path):
    path = tmp_path / "city#2.vrp"
    path.write_text(TINY_VRP)
    assert compare.expand([str(tmp_path / "city#*.vrp")]) == [str(path)]
    assert load_instance(path).name == "faults-n9-k2"
    missing = tmp_path / "other#2.vrp"
    with pytest.raises(InstanceError) as caught:
        load_instance(missing)
    assert str(caught.value) == f"{missing}: no such file"
