"""The XLSX export's writer against openpyxl's write-only mode (a benchmark, not a test). See
docs/performance.md.

    .venv/bin/python bench/xlsx_export.py [--rows 100000] [--rounds 2]

Writes the same typed rows (a date, text, a number, two durations) both ways, interleaved, with no
database, and prints for each when the first bytes were ready and when the whole file was.
openpyxl is a test dependency (it reads the export back in tests/calls/test_export.py).
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

ROW = [datetime(2026, 3, 2, 7, 30), "0f8c2f7e-6a1b-4c55-9d1e-2b7e0b5e8c11", "Max Manager",
       "manager1", "10001", "13900000001", "13800000000", "placed", "1037058396471308289", "", "",
       "", "", "success", 200, "0", "The customer hung up", "yes", 30, 35, "cdr"]  # fmt: skip
HEADER = [f"c{i}" for i in range(len(ROW))]


def ours(n: int) -> tuple[float, float, int]:
    from calls import xlsx

    row = list(ROW)
    row[18], row[19] = xlsx.Duration(30), xlsx.Duration(35)
    started, first, size = time.perf_counter(), None, 0
    for chunk in xlsx.workbook("Calls", HEADER, (row for _ in range(n))):
        first = first or time.perf_counter() - started
        size += len(chunk)
    return first, time.perf_counter() - started, size


def openpyxl_write_only(n: int) -> tuple[float, float, int]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Calls")
    ws.append(HEADER)
    for _ in range(n):
        row = list(ROW)
        for i, seconds in ((18, 30), (19, 35)):
            row[i] = WriteOnlyCell(ws, value=timedelta(seconds=seconds))
            row[i].number_format = "[h]:mm:ss"
        ws.append(row)
    with tempfile.TemporaryFile() as f:
        wb.save(f)  # nothing can be sent before this returns
        size = f.tell()
    whole = time.perf_counter() - started
    return whole, whole, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    import django

    django.setup()
    for _ in range(args.rounds):
        for name, fn in (("ours", ours), ("openpyxl write-only", openpyxl_write_only)):
            first, whole, size = fn(args.rows)
            print(
                f"{name:>20}: {args.rows} rows, first bytes after {first:.2f} s, "
                f"whole file after {whole:.2f} s, {size / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
