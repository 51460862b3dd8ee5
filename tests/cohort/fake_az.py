"""A stand-in for the Azure CLI (`az`), for tests of the Azure sweep. Nothing reaches Azure:
resource groups and resources live in $FAKE_AZ_STATE (a JSON file the test writes); each call is
appended to <state>.calls. FAKE_AZ_FAIL_DELETE=name1,name2 makes deleting those fail."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

STATE = Path(os.environ["FAKE_AZ_STATE"])


def main() -> None:
    args = [a for a in sys.argv[1:] if a not in ("--only-show-errors",)]
    if args[-2:] == ["-o", "json"]:
        args = args[:-2]
    with open(f"{STATE}.calls", "a") as fh:
        fh.write(json.dumps(args) + "\n")
    doc = json.loads(STATE.read_text())
    failing = {s for s in os.environ.get("FAKE_AZ_FAIL_DELETE", "").split(",") if s}
    if args[:2] == ["group", "list"]:
        print(json.dumps(doc["groups"]))
    elif args[:2] == ["resource", "list"]:
        key, _, value = args[args.index("--tag") + 1].partition("=")
        print(json.dumps([r for r in doc["resources"] if (r.get("tags") or {}).get(key) == value]))
    elif args[:2] == ["group", "delete"]:
        name = args[args.index("--name") + 1]
        if name in failing:
            print(f"ERROR: (Conflict) deleting {name} failed", file=sys.stderr)
            sys.exit(1)
        if not any(g["name"] == name for g in doc["groups"]):
            print(f"ERROR: Resource group '{name}' could not be found.", file=sys.stderr)
            sys.exit(3)
        doc["groups"] = [g for g in doc["groups"] if g["name"] != name]
        doc["resources"] = [r for r in doc["resources"] if r["resourceGroup"] != name]
    elif args[:2] == ["resource", "delete"]:
        rid = args[args.index("--ids") + 1]
        if any(r["id"] == rid and r["name"] in failing for r in doc["resources"]):
            print("ERROR: (Conflict) cannot delete", file=sys.stderr)
            sys.exit(1)
        doc["resources"] = [r for r in doc["resources"] if r["id"] != rid]
    else:
        print(f"ERROR: the fake az does not know {' '.join(args)}", file=sys.stderr)
        sys.exit(2)
    STATE.write_text(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
