"""`make bench`: DESIGN §6's figures on a seeded dataset. `figures` measures F0–F8 and
F11 and runs the whole list, `reminders` F9 and F10, `measure` the timing and rollback
helpers both use."""
