"""Local entry point of the medallion jobs: local folders, a local Spark session.

    python workloads/spark/entrypoints/local_job.py --root ./lake [--stage all] [--mode full]
    python workloads/spark/entrypoints/local_job.py --landing_uri ./lake/landing ... (each layer)

The same as `python -m lakelab_jobs run`.
"""

from __future__ import annotations

import sys

from lakelab_jobs.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
