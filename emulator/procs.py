"""Child processes that do not outlive the emulator.

Each child gets its own process group (so a stop reaches its whole tree: a Glue run's python and its Spark JVM)
and PR_SET_PDEATHSIG, so the kernel sends it SIGKILL when the emulator dies without cleaning up. The kernel ties
that signal to the *thread* that forked the child, and moto answers each request on a short-lived thread: every
child is therefore forked by one long-lived spawner thread.
"""
from __future__ import annotations

import ctypes
import glob
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from typing import Any, Callable, Dict, List, Optional

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the explicit stop on exit still applies
        pass


class Spawner:
    """Starts processes from one long-lived thread (see the module's note) and stops them all on close()."""

    def __init__(self) -> None:
        self._requests: queue.Queue[Optional[tuple]] = queue.Queue()
        self._children: List[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="emulator-spawner", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            item = self._requests.get()
            if item is None:
                return
            args, kwargs, done = item
            try:
                child = subprocess.Popen(args, preexec_fn=_die_with_parent, start_new_session=True,  # noqa: S603
                                         **kwargs)
                with self._lock:
                    self._children.append(child)
                done["child"] = child
            except Exception as err:  # handed back to the caller's thread
                done["error"] = err
            done["event"].set()

    def popen(self, args: List[str], **kwargs: Any) -> subprocess.Popen:
        done: Dict[str, Any] = {"event": threading.Event()}
        self._requests.put((args, kwargs, done))
        done["event"].wait()
        if "error" in done:
            raise done["error"]
        return done["child"]

    def close(self, grace_seconds: float = 5.0) -> None:
        with self._lock:
            children = list(self._children)
        for child in children:
            stop_group(child, grace_seconds)
        self._requests.put(None)


def stop_group(child: subprocess.Popen, grace_seconds: float = 5.0,
               on_stopped: Optional[Callable[[], None]] = None) -> None:
    """SIGTERM to the child's process group, SIGKILL after the grace period."""
    if child.poll() is None:
        _signal_group(child, signal.SIGTERM)
        try:
            child.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()
    # Leftovers in the group (a JVM whose parent is gone) go too.
    _signal_group(child, signal.SIGKILL)
    if on_stopped:
        on_stopped()


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def work_dir(kind: str) -> str:
    """A temporary folder named by this process's pid, so that sweep_stale() can remove it after a crash."""
    return tempfile.mkdtemp(prefix=f"emulator-{kind}-{os.getpid()}-")


def sweep_stale() -> None:
    """Removes the work folders of emulators that are gone (killed: they could not remove their own)."""
    for path in glob.glob(os.path.join(tempfile.gettempdir(), "emulator-*-*-*")):
        parts = os.path.basename(path).split("-")
        if len(parts) < 4 or not parts[2].isdigit() or int(parts[2]) == os.getpid():
            continue
        try:
            os.kill(int(parts[2]), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:  # alive, someone else's
            pass
