"""Bulk import speed (bench/imports.py): prints one JSON line.

python -m bench.import_step [ROWS]     (DATABASE_URL names the benchmark database)
"""

import contextlib
import json
import sys


def main() -> None:
    from bench.config import setup_django

    setup_django()
    from bench.imports import ROWS, measure_import

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    with contextlib.redirect_stdout(sys.stderr):
        result = measure_import(rows)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
