"""`make loadtest`: Locust against gunicorn, PostgreSQL, Redis and a Celery worker.

- `plan.py` (Django): the load test's accounts, roles and draft programmes on a seeded
  tree, and the plan the users read;
- `locustfile.py` (Locust, no Django): the users — leaders who read, staff who write;
- `drive.py` (Locust's process): one server's phases — warm-up, alone, load — and the
  refresh backlog, as JSON;
- `runner.py` (Django): the Celery worker, gunicorn with 1, 2 and 4 workers, the driver
  for each, the table and `var/bench/load.json`; `manage.py loadtest`.
"""
