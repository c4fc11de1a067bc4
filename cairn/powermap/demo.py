"""The demo coalition's power map: its landscape (`demo_data/elements.csv` and
`connections.csv`, a Kumu-style pair written by `demo_data/build_landscape.py`) imported through
the power map importer, so the demo obeys every rule an import does.

Idempotent: the importer matches rows to stakeholders by name, so a second run finds every
stakeholder and relationship unchanged and writes nothing. The member organizations and the
campaign's decision-makers keep their own stakeholders (the rows use their exact names).
"""

from __future__ import annotations

from pathlib import Path

from cairn.accounts.models import User
from cairn.coalitions.demo import DEMO_LOGIN
from cairn.coalitions.models import Coalition

from .importing import ImportResult, MapImportError, Upload, import_map

DATA = Path(__file__).resolve().parent / "demo_data"
FILES = ("elements.csv", "connections.csv")


def load_demo_powermap(coalition: Coalition) -> ImportResult:
    """Import the demo landscape into the coalition's map (again: nothing changes)."""
    uploads = [Upload(name, (DATA / name).read_bytes()) for name in FILES]
    steward = User.objects.filter(email=DEMO_LOGIN).first()
    result = import_map(coalition=coalition, uploads=uploads, by=steward)
    if not result.applied:
        problems = "; ".join(str(p) for p in result.problems[:5])
        raise MapImportError(f"The demo landscape did not import: {problems}")
    return result
