"""Run every benchmark in bench/ in turn, each with its default arguments: `make bench`."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> list[Path]:
    """bench/*.py except this runner and private helpers (leading underscore)."""
    return sorted(p for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))


def main() -> int:
    failed = []
    for script in benchmarks():
        print(f"\n=== {script.relative_to(HERE.parent)} ===", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
