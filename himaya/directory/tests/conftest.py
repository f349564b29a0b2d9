import pytest

from himaya.directory.testing import build_directory


@pytest.fixture
def world(personas):
    personas.institutions = build_directory(personas)
    return personas
