"""The check the tests of the compiled statements share (their SQLite database is the
`compiled_on_sqlite` fixture of tests/reports/conftest.py)."""

from reports.queries import compiled


def assert_no_stand_in_compiled_in(statement: compiled.Statement, marks: tuple[str, ...]):
    """No parameter compiled in as a constant, and no part of the SQL, carries one of the
    stand-ins' values (`marks`)."""
    constants = [
        value
        for name, value in statement.slots
        if name is None and any(mark in str(value) for mark in marks)
    ]
    assert constants == []
    assert not any(mark in statement.sql for mark in marks)
