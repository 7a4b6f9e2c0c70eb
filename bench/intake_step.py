"""Intake speed: seconds per MB of article text, measured by bench/intake.py (the intake work provides it).

Prints one JSON line. Until bench/intake.py exists, the result says "not available yet".

    python -m bench.intake_step     (DATABASE_URL names the benchmark database)
"""

import contextlib
import json
import sys


def main() -> None:
    from bench.config import setup_django

    setup_django()
    try:
        from bench.intake import measure_intake
    except ImportError as exc:
        print(json.dumps({"available": False, "note": f"not available yet ({exc})"}))
        return
    # Whatever the measurement prints goes to stderr; stdout carries only the result.
    with contextlib.redirect_stdout(sys.stderr):
        seconds_per_mb = float(measure_intake())
    print(json.dumps({"available": True, "seconds_per_mb": seconds_per_mb}))


if __name__ == "__main__":
    main()
