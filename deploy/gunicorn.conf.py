"""gunicorn's settings for ktgs's web processes in production (deploy/Procfile,
deploy/systemd/ktgs-web.service: `gunicorn -c deploy/gunicorn.conf.py ktgs.wsgi`) and in
`make loadtest`, which measures them. The command line still wins (`--workers 2`).

Each process serves requests on two threads (gunicorn's gthread worker): a page spends
much of its time waiting for PostgreSQL, and while one thread waits the other runs its
Python, so one process keeps both cores of a small machine busy, and a short page (a
dashboard) is not queued behind a long one (a nation's period report) in the same
process. Measured with `make loadtest` (50 users, 10pct, one process; requests/s, the
dashboard's p95 under load over its p95 alone): the sync worker 23.2 and 18×, four
threads 29.5 and 15× (threads of one process also take turns for Python), two threads
31.5 and 7.5×. With two or four processes the machine's two cores were the limit
whichever the worker (33–35 requests/s).

Each thread keeps its own PostgreSQL connection (DJANGO_CONN_MAX_AGE): a machine opens up
to WEB_CONCURRENCY × KTGS_WEB_THREADS of them (README, "Running in production").
"""

import os

bind = os.environ.get("KTGS_BIND", "127.0.0.1:8000")
# Processes: gunicorn's own WEB_CONCURRENCY (default 1).
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_class = "gthread"
threads = int(os.environ.get("KTGS_WEB_THREADS", "2"))
