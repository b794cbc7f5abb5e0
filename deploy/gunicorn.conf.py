"""gunicorn's settings for ktgs's web processes in production (deploy/Procfile,
deploy/systemd/ktgs-web.service: `gunicorn -c deploy/gunicorn.conf.py ktgs.wsgi`) and in
`make loadtest`, which measures them. The command line still wins (`--workers 2`).

By default, two processes for each core this machine lets them run on, each serving one
request at a time (gunicorn's sync worker): `make loadtest` on two cores (50 users,
10pct; requests/s and the dashboard's p95 under load over its p95 alone, one run each):

| processes × threads | req/s | ratio |
|---|---|---|
| 1 × 1 (the default before) | 23.2, 21.4, 23.6 | 18×, 24.8×, 19.7× |
| 1 × 2 | 31.5, 27.6, 30.2 | 7.5×, 15.7×, 11.9× |
| 1 × 4 | 29.5 | 15× |
| 2 × 1 | 33.4, 35.7 | 7.7×, 4.3× |
| 2 × 2 | 33.9, 33.0, 32.6 | 8.4×, 10.3×, 11.8× |
| 2 × 4 | 33.9 | 6.3× |
| 4 × 1 | 34.5, 35.1, 32.4 | 2.7×, 3.8×, 7.3× |
| 4 × 2 | 33.8, 33.3 | 7.1×, 7.5× |
| 4 × 4 | 33.5 | 7.2× |

(1 × 1: twice gunicorn's sync worker, once its gthread worker with one thread.) The
runs scatter widely; over them, several sync processes kept the ratio at 2.7–7.7×
(4.3× the median of five), several threaded ones at 6.3–11.8× (7.5× of seven).

A page spends much of its time waiting for PostgreSQL: one process on one thread leaves a
core idle while it waits. Threads fill that wait, but the threads of a process also take
turns for Python, and a short page (a dashboard) then waits behind the others' Python;
separate processes do not. Threads (`KTGS_WEB_THREADS` above 1: gunicorn's gthread
worker) are for a machine short of memory for more processes (~150 MB each).

Each process, and each thread, keeps its own PostgreSQL connection (DJANGO_CONN_MAX_AGE):
a machine opens up to processes × threads of them (README, "Running in production").
"""

import os


def _cores() -> int:
    """The cores this process may run on (a container's or a CPU set's, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("KTGS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores())
threads = int(os.environ.get("KTGS_WEB_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
