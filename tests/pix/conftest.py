"""Fixtures of the pure `pix` tests: no database, no Django."""

from pathlib import Path

import pytest

# /work/shared/samples beside the repository; absent on a plain clone, so tests using it skip.
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"real-format samples not found in {SAMPLES}")
    return SAMPLES
