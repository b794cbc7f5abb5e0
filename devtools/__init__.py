"""Development tooling, kept out of the product apps: what `make run` seeds, what
`make bench` measures, and what the tests use to stand in for the outside world.

- `demo/`: the demo province, its accounts and its year (programmes, cases, past
  figures), written through the product services; `manage.py seed_demo`.
- `synthetic/`: generated national trees (`tree/`) and their years (`year/`), bulk-loaded,
  for the benchmark and quick runs; `manage.py seed_demo --profile 10pct|national|post2025`.
- `bench/`: DESIGN §6's figures; `manage.py bench` (`make bench`).
- `bulk.py`: id reservation and ANALYZE for the bulk loaders.
- `smtp_sink.py`: a real local SMTP server that records what it receives (tests, F10).

devtools may import every product app; no product app (ktgs, plans, cases, reports,
reminders) imports devtools: the import-linter contract in pyproject.toml holds it.
"""
