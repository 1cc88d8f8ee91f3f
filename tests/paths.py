"""Where the project's folders are, for tests and their helpers (pytest advises against
importing from conftest.py, so shared constants live here)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
