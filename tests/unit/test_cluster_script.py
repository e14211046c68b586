"""tests/slurm/cluster.sh (run as root by the SLURM workflow test) trusts only a private state
folder, keeps the slurm.conf backup in /etc/slurm, and kills only the daemons it started.

Nothing here starts SLURM or touches /etc/slurm: the script is run with a state folder it must
refuse (it stops before doing anything), or sourced to call its functions.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "tests" / "slurm" / "cluster.sh"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/proc/self/comm").exists(),
    reason="the script checks root ownership and /proc: run as root on Linux (as CI does)",
)


def _bash(code: str, state: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in bash after sourcing the script, with ``state`` as its state folder."""
    return subprocess.run(
        ["bash", "-c", f'source "{SCRIPT}"\n{code}'],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SLURM_TEST_STATE": str(state), **env},
    )


def _status(state: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), "status"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SLURM_TEST_STATE": str(state)},
    )


def _private(path: Path, mode: int = 0o700) -> Path:
    path.mkdir()
    path.chmod(mode)
    return path


def test_a_symlinked_state_folder_is_refused(tmp_path):
    target = _private(tmp_path / "elsewhere")
    (tmp_path / "state").symlink_to(target)
    run = _status(tmp_path / "state")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "refusing the state folder" in run.stderr and "symbolic link" in run.stderr
    assert "munged" not in run.stdout


@pytest.mark.parametrize("mode", [0o755, 0o777, 0o750], ids=oct)
def test_a_state_folder_others_may_read_or_write_is_refused(tmp_path, mode):
    run = _status(_private(tmp_path / "state", mode))
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"its mode is {mode:o}" in run.stderr and "rm -rf" in run.stderr


def test_a_state_folder_of_another_user_is_refused(tmp_path):
    state = _private(tmp_path / "state")
    os.chown(state, 65534, 65534)
    (state / "munged.pid").write_text("1\n")
    run = _status(state)
    assert run.returncode == 2 and "owned by uid 65534, not root" in run.stderr


def test_a_state_folder_in_a_folder_others_write_to_is_refused(tmp_path):
    shared = _private(tmp_path / "shared", 0o777)  # world-writable, no sticky bit
    run = _status(_private(shared / "state"))
    assert run.returncode == 2 and "others may write to it" in run.stderr


def test_a_private_state_folder_is_accepted_and_a_missing_one_made_private(tmp_path):
    run = _status(_private(tmp_path / "state"))
    assert run.returncode == 1, run.stderr  # accepted: nothing runs there
    assert run.stdout.split("\n")[:3] == ["munged stopped", "slurmctld stopped", "slurmd stopped"]
    made = tmp_path / "new"
    run = _bash("require_private_state create", made)
    assert run.returncode == 0, run.stderr
    assert made.is_dir() and made.stat().st_mode & 0o777 == 0o711 and made.stat().st_uid == 0


def test_the_slurm_conf_backup_stays_beside_the_real_file_and_slurm_conf_is_ignored(tmp_path):
    run = _bash('echo "$BACKUP"; echo "${SLURM_CONF-unset}"', tmp_path, SLURM_CONF="/x.conf")
    assert run.returncode == 0, run.stderr
    backup, slurm_conf = run.stdout.split()
    assert Path(backup).parent == Path("/etc/slurm") and slurm_conf == "unset"


def test_only_the_named_daemons_pid_is_trusted_and_killed(tmp_path):
    """A pid file that names a live process of another program (pid reuse after a crash) is
    ignored: stop_pid leaves that process alone, and kills the real daemon. The daemon is the
    binary that ``command -v <name>`` finds (here a copy of sleep put first on PATH)."""
    state = _private(tmp_path / "state")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_daemon = bin_dir / "slurmd"  # the "installed" slurmd of this test
    shutil.copy(shutil.which("sleep"), fake_daemon)
    daemon = subprocess.Popen([str(fake_daemon), "60"])
    other = subprocess.Popen(["sleep", "60"])
    path = f"{bin_dir}:{os.environ['PATH']}"
    try:
        (state / "slurmd.pid").write_text(f"{daemon.pid}\n")
        (state / "munged.pid").write_text(f"{other.pid}\n")
        run = _bash("pid_of slurmd; pid_of munged || echo not-munged", state, PATH=path)
        assert run.stdout.split() == [str(daemon.pid), "not-munged"], run.stderr
        run = _bash("stop_pid munged; stop_pid slurmd", state, PATH=path)
        assert run.returncode == 0, run.stderr
        assert daemon.wait(timeout=20) is not None and other.poll() is None
        assert not (state / "slurmd.pid").exists()
    finally:
        for proc in (daemon, other):
            proc.kill()
            proc.wait()


def test_a_process_named_like_the_daemon_is_not_trusted(tmp_path):
    """Issue 28 item 11: a copy of sleep named slurmd has the comm slurmd, but its executable is
    not the slurmd that is installed: its pid is not trusted, and stop leaves it running."""
    state = _private(tmp_path / "state")
    impostor = tmp_path / "slurmd"
    shutil.copy(shutil.which("sleep"), impostor)
    proc = subprocess.Popen([str(impostor), "60"])
    try:
        comm = Path(f"/proc/{proc.pid}/comm")
        for _ in range(100):  # until the child has exec'd the copy
            if comm.read_text().strip() == "slurmd":
                break
            time.sleep(0.05)
        assert comm.read_text().strip() == "slurmd"
        (state / "slurmd.pid").write_text(f"{proc.pid}\n")
        run = _bash("pid_of slurmd || echo untrusted; stop_pid slurmd", state)
        assert run.stdout.split() == ["untrusted"], run.stdout + run.stderr
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()
