"""Fixtures of the pure `pix` tests: no database, no Django."""

import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# Run with `-p no:django`, nothing puts the repository on the path (pytest-django does it from
# manage.py otherwise): make `import pix` work either way.
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

# /work/shared/samples beside the repository; absent on a plain clone, so tests using it skip.
SAMPLES = REPOSITORY.parent / "shared" / "samples"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"real-format samples not found in {SAMPLES}")
    return SAMPLES
