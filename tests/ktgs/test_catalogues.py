"""The message catalogues: English is complete, both compile cleanly.

`make makemessages` refreshes locale/*/django.po from the source; whoever adds a string
translates it in the English catalogue, or this test fails.
"""

import re
import subprocess
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def statistics(language: str) -> dict[str, int]:
    result = subprocess.run(
        [
            "msgfmt",
            "--check",
            "--statistics",
            "-o",
            "/dev/null",
            str(LOCALE / language / "LC_MESSAGES" / "django.po"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr  # placeholders and syntax agree
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", result.stderr):
        counts[kind] = int(number)
    return counts


def test_every_vietnamese_string_has_an_english_translation():
    counts = statistics("en")
    assert counts["translated"] > 100
    assert counts["fuzzy"] == 0, "review the fuzzy guesses msgmerge made in locale/en"
    assert counts["untranslated"] == 0, "translate the new strings in locale/en"


def test_the_vietnamese_catalogue_compiles():
    # msgids are already Vietnamese: entries stay empty unless they override wording.
    counts = statistics("vi")
    assert counts["fuzzy"] == 0
    assert counts["translated"] + counts["untranslated"] > 100
