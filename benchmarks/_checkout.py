"""The environment of a benchmark's child process that runs another checkout's sources."""

from __future__ import annotations

import os


def checkout_env(src: str | None, **extra: str) -> dict[str, str]:
    """This process's environment plus ``extra``, with ``src`` (a checkout's ``src`` folder, e.g.
    of ``git worktree add /tmp/old HEAD~1``) first on ``PYTHONPATH``; ``src`` None: as installed."""
    env = dict(os.environ, **extra)
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    return env
