"""Pulumi entry point (`main: infra/` in Pulumi.yaml).

Pulumi runs this file with infra/ as the script folder, so the project root is put on the
path for the `infra` and `lakelab` packages (they are also installed in the project venv).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.program import main

main()
