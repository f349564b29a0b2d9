"""Permission-matrix rows for the placements app's routes (merged by
accounts/tests/test_permission_matrix.py): name → (method, args builder, status per persona)."""

from himaya.accounts.testing import LOGIN, expect, only  # noqa: F401

MATRIX: dict = {}
