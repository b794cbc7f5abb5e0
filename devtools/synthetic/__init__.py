"""Synthetic data at national scale (DESIGN §6), bulk-loaded: `tree` generates and writes
organisation trees (profiles national, 10pct, post2025), `year` a year of programmes,
targets and cases for such a tree. `manage.py seed_demo --profile …` runs both."""
