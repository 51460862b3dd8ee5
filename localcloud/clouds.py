"""The twin's cloud registry: the one place that turns a cloud's name into its twin.

    from localcloud.clouds import twin_for
    twin_for(record.cloud).remove(paths, state, record)

Each cloud's twin (`localcloud.aws.twin`, `localcloud.azure.twin`) implements
`localcloud.cloud.TwinCloud`; a new cloud is a new twin plus one line here.
"""

from __future__ import annotations

from lakelab.errors import UserError
from lakelab.regions import CLOUDS
from localcloud.aws.twin import AwsTwin
from localcloud.azure.twin import AzureTwin
from localcloud.cloud import TwinCloud

_TWINS: dict[str, TwinCloud] = {twin.name: twin for twin in (AwsTwin(), AzureTwin())}
assert tuple(_TWINS) == CLOUDS, "every cloud in lakelab.regions has a twin here"


def twin_for(name: str) -> TwinCloud:
    try:
        return _TWINS[name]
    except KeyError:
        raise UserError(f"unknown cloud {name!r}; known: {', '.join(_TWINS)}") from None


def all_twins() -> tuple[TwinCloud, ...]:
    return tuple(_TWINS.values())
