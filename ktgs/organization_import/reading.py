"""Reading an import file: bytes from a path or an upload, CSV (either delimiter) or
XLSX, into the records `parsing` turns into rows."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ktgs.organization_import.parsing import RowError, _parse_records, _Row


def _read_bytes(source: str | Path | IO[bytes], name: str) -> tuple[bytes, str]:
    if isinstance(source, str | Path):
        path = Path(source)
        return path.read_bytes(), name or path.name
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read(), name or getattr(source, "name", "") or ""


def _is_xlsx(data: bytes, name: str) -> bool:
    suffix = Path(name).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return True
    if suffix == ".csv":
        return False
    return data[:4] == b"PK\x03\x04"  # a zip archive: what an .xlsx file is


def _csv_records(data: bytes) -> Iterator[list[Any]]:
    text = data.decode("utf-8-sig")  # utf-8-sig also reads files without a BOM
    header = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale saves CSV with ";" (the decimal separator is ",").
    delimiter = ";" if header.count(";") > header.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_records(data: bytes) -> Iterator[list[Any]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def read_rows(
    source: str | Path | IO[bytes], *, name: str = ""
) -> tuple[list[_Row], dict[str, str], list[RowError]]:
    """Parse the file (no database access): rows, header labels, cell errors."""
    data, name = _read_bytes(source, name)
    try:
        records = _xlsx_records(data) if _is_xlsx(data, name) else _csv_records(data)
        return _parse_records(records)
    except UnicodeDecodeError:
        return [], {}, [RowError(None, "", _("Tệp CSV phải được lưu với mã hóa UTF-8."))]
    except csv.Error as exc:
        return [], {}, [RowError(None, "", _("Tệp CSV không đọc được: %(e)s") % {"e": exc})]
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        OSError,
        ParseError,
    ) as exc:
        # What openpyxl raises for a file that is not a workbook, or a damaged one (a
        # sheet whose XML is broken, e.g. by a NUL character: ParseError). Its message is
        # English ("File is not a zip file"): the user reads ours.
        if not _is_xlsx(data, name):
            raise
        if isinstance(exc, zipfile.BadZipFile | InvalidFileException):
            reason = _("Tệp không phải là tệp Excel (.xlsx).")
        else:
            reason = _("Tệp Excel bị hỏng, không đọc được; hãy lưu lại tệp bằng Excel.")
        return [], {}, [RowError(None, "", reason)]
