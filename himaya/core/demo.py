"""Demo data of `core`: the reference geography and code lists, plus the shared context
that the other apps' `demo.py` modules use to register the personas they create."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from himaya.core.reference import load_code_lists, load_geography

# The eight pilot territories of the demo (api-contract.md, "Demo and training personas").
PILOT_TERRITORIES = {
    "RAB": "04.421",  # Rabat
    "SAL": "04.441",  # Salé
    "CAS": "06.141.01.00",  # Casablanca-Anfa
    "TNG": "01.511",  # Tanger-Assilah
    "MAR": "07.351",  # Marrakech
    "MEK": "03.061",  # Meknès
    "AGA": "09.001",  # Agadir-Ida-Ou-Tanane
    "LAA": "11.321",  # Laâyoune
}


@dataclass
class DemoContext:
    password: str
    stdout: TextIO
    personas: list[tuple[str, str]] = field(default_factory=list)  # (username, description)

    def persona(self, username: str, description: str) -> None:
        self.personas.append((username, description))

    def print_summary(self) -> None:
        self.stdout.write("Demo data ready.")
        if self.personas:
            self.stdout.write(f"Demo password for every persona: {self.password}")
            for username, description in self.personas:
                self.stdout.write(f"  {username:<26} {description}")


def seed(ctx: DemoContext) -> None:
    load_geography()
    load_code_lists()
