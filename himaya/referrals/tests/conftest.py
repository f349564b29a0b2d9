import pytest

from himaya.directory.testing import build_directory


@pytest.fixture
def world(personas):
    """The personas, a small directory, and Salé's case at the planning stage."""
    personas.institutions = build_directory(personas)
    case = personas.cases["sale"]
    type(case).objects.filter(pk=case.pk).update(stage="planning")
    case.refresh_from_db()
    return personas
