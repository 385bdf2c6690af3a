#!/usr/bin/env python
"""Run the Concierge demo: Django's runserver and a Celery worker with embedded beat.

A small supervisor (standard library only), started by `make run` after migrate and seed_demo.
Each child runs in its own process group, so Ctrl-C in the terminal reaches only this
supervisor; it then sends SIGTERM to each child's main process (a Celery worker must be
signalled on its main process, which then stops its own beat process), waits up to 15 s
and SIGKILLs whatever is left. If either child exits, the other is stopped too.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 8000
GRACE_SECONDS = 15.0
DEMO_USERS = ("admin", "frontdesk", "service", "sales", "marketing", "manager")
DEMO_PASSWORD = "concierge-demo"

COMMANDS = {
    "web": [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
    "celery": [
        sys.executable, "-m", "celery", "-A", "concierge", "worker", "--beat",
        "--loglevel=info", "--pool=solo", "-s", "var/celerybeat-schedule",
    ],
}


def _child_setup() -> None:
    """In the child before exec: own process group, and SIGTERM if the supervisor dies (Linux)."""
    os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except Exception:  # noqa: BLE001 - best effort only
            pass


def _banner() -> None:
    url = f"http://{HOST}:{PORT}/"
    width = max(len(u) for u in DEMO_USERS)
    lines = [
        "",
        "=" * 60,
        f" Concierge (development) starting at {url}",
        f" Demo logins (password: {DEMO_PASSWORD}):",
        *(f"   {user:<{width}}" for user in DEMO_USERS),
        " Press Ctrl-C to stop the web server and the Celery worker.",
        "=" * 60,
        "",
    ]
    print("\n".join(lines), flush=True)


def _port_open() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=0.2):
            return True
    except OSError:
        return False


class Supervisor:
    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen] = {}
        self.signals = 0

    def on_signal(self, signum: int, _frame) -> None:
        self.signals += 1
        if self.signals == 1:
            print(f"\n[run_dev] {signal.Signals(signum).name} received, stopping...", flush=True)
        else:
            print("[run_dev] second signal: killing children now", flush=True)
            self.kill_all()

    def start(self, env: dict[str, str]) -> None:
        for name, cmd in COMMANDS.items():
            self.children[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, preexec_fn=_child_setup
            )
            print(f"[run_dev] started {name} (pid {self.children[name].pid})", flush=True)

    def alive(self) -> list[tuple[str, subprocess.Popen]]:
        return [(n, p) for n, p in self.children.items() if p.poll() is None]

    def kill_all(self) -> None:
        for name, proc in self.alive():
            print(f"[run_dev] SIGKILL {name} (pid {proc.pid})", flush=True)
            try:
                # Own process group: this reaches only the child and its descendants (e.g. beat).
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                try:
                    proc.kill()
                except ProcessLookupError:
                    pass

    def stop(self) -> None:
        for name, proc in self.alive():
            print(f"[run_dev] SIGTERM {name} (pid {proc.pid})", flush=True)
            try:
                proc.send_signal(signal.SIGTERM)  # main process only, not the group
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + GRACE_SECONDS
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.alive():
            print(f"[run_dev] still running after {GRACE_SECONDS:.0f} s", flush=True)
            self.kill_all()
        for proc in self.children.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def run(self) -> int:
        env = os.environ.copy()
        env.setdefault("DJANGO_DEBUG", "1")
        env.setdefault("PYTHONUNBUFFERED", "1")
        (ROOT / "var").mkdir(exist_ok=True)

        signal.signal(signal.SIGINT, self.on_signal)
        signal.signal(signal.SIGTERM, self.on_signal)

        _banner()
        self.start(env)
        ready = False
        exit_code = 0
        try:
            while not self.signals:
                dead = [(n, p) for n, p in self.children.items() if p.poll() is not None]
                if dead:
                    name, proc = dead[0]
                    print(f"[run_dev] {name} exited with code {proc.returncode}; stopping the rest", flush=True)
                    rc = proc.returncode
                    exit_code = 128 - rc if rc < 0 else (rc or 1)
                    break
                if not ready and _port_open():
                    ready = True
                    print(f"[run_dev] ready: http://{HOST}:{PORT}/", flush=True)
                time.sleep(0.5)
        finally:
            self.stop()
        return exit_code


def main() -> int:
    return Supervisor().run()


if __name__ == "__main__":
    sys.exit(main())
