"""The cloud-neutral blueprint of one learner's lab.

A blueprint is read from a Pulumi stack config (`lakelab:*` keys, camelCase) and validated
here, once, before any resource is declared. Everything downstream (the AWS and Azure
programs, the offline plan, the local twin, cost and compare) works from a `Blueprint`.

Invalid input raises `BlueprintError` with one message that names every bad field by its
config key, so an instructor can fix a stack file without reading a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from pydantic import ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from lakelab.blueprint_sections import (
    ALERT_THRESHOLDS_MAX,
    BUDGET_NOTIFICATIONS_MAX,
    DEDICATED_SKUS,
    FLEX_WORKERS,
    LAKELAB_FORECAST_ALERTS,
    RPU_MAX,
    RPU_SMALLEST,
    RPU_STEP,
    SPARK_POOL_MAX_NODES,
    SPARK_POOL_MIN_NODES,
    STREAMING_ONLY_WORKERS,
    Access,
    Network,
    Query,
    Section,
    Spark,
    Warehouse,
)
from lakelab.naming import CATALOG_LAYERS, DEMO_SEED, LAYERS, Layer, Names
from lakelab.regions import REGIONS, Cloud

CONFIG_NAMESPACE: Final = "lakelab"
MANAGED_BY: Final = "lakelab"

# The sections and the cloud limits live in `blueprint_sections`; they are read from here too.
__all__ = [
    "ALERT_THRESHOLDS_MAX",
    "BUDGET_NOTIFICATIONS_MAX",
    "CONFIG_KEYS",
    "CONFIG_NAMESPACE",
    "DEDICATED_SKUS",
    "FLEX_WORKERS",
    "LAKELAB_FORECAST_ALERTS",
    "MANAGED_BY",
    "RPU_MAX",
    "RPU_SMALLEST",
    "RPU_STEP",
    "SPARK_POOL_MAX_NODES",
    "SPARK_POOL_MIN_NODES",
    "STREAMING_ONLY_WORKERS",
    "Access",
    "Blueprint",
    "BlueprintError",
    "Network",
    "Query",
    "Spark",
    "Warehouse",
    "for_cloud",
    "from_config",
]

_SLUG_HELP = "lowercase letters, digits and single hyphens, starting with a letter"
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_SEED = re.compile(r"[A-Za-z0-9_-]{6,64}")


class BlueprintError(ValueError):
    """A stack config that cannot describe a valid lab. The message names each bad key."""


def _slug(value: str, max_len: int, what: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", value):
        raise ValueError(f"{what} {value!r} must use {_SLUG_HELP}, and not end with a hyphen")
    if len(value) > max_len:
        raise ValueError(f"{what} {value!r} is {len(value)} characters; at most {max_len}")
    return value


class Blueprint(Section):
    """One learner's lab on one cloud."""

    cohort: str
    learner: str
    course: str
    cloud: Cloud
    region: str
    expires: date
    email: str
    budget_usd: float
    # The organisation's name seed; no default: a cloud stack must name one (`for_cloud`).
    name_seed: str | None = None
    alert_thresholds_pct: tuple[int, ...] = (50, 80, 100)
    warehouse: Warehouse = Warehouse()
    spark: Spark = Spark()
    query: Query = Query()
    network: Network = Network()
    access: Access = Access()

    @field_validator("cohort")
    @classmethod
    def _cohort(cls, v: str) -> str:
        return _slug(v, 12, "cohort")

    @field_validator("learner")
    @classmethod
    def _learner(cls, v: str) -> str:
        return _slug(v, 20, "learner id")

    @field_validator("course")
    @classmethod
    def _course(cls, v: str) -> str:
        return _slug(v, 40, "course")

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if not _EMAIL.fullmatch(v) or ".." in v:
            raise ValueError(f"{v!r} is not a valid email address")
        return v

    @field_validator("budget_usd")
    @classmethod
    def _budget(cls, v: float) -> float:
        # The ceiling a learner's budget may have is the organisation's (policies/org-policy.yaml).
        if not v > 0:
            raise ValueError(f"budget must be more than 0 USD, got {v:g}")
        return v

    @field_validator("name_seed")
    @classmethod
    def _seed(cls, v: str | None) -> str | None:
        if v is not None and not _SEED.fullmatch(v):
            raise ValueError(
                f"name seed {v[:20]!r} must be 6-64 letters, digits, '-' or '_'"
                " (`lakelab cohort init` writes one)"
            )
        return v

    @field_validator("alert_thresholds_pct")
    @classmethod
    def _thresholds(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or any(not 0 < t <= 200 for t in v):
            raise ValueError("alert thresholds are percentages between 1 and 200")
        distinct = tuple(sorted(set(v)))
        if len(distinct) > ALERT_THRESHOLDS_MAX:
            raise ValueError(
                f"at most {ALERT_THRESHOLDS_MAX} thresholds, got {len(distinct)}: an Azure budget"
                f" takes {BUDGET_NOTIFICATIONS_MAX} notifications and lakelab adds"
                f" {LAKELAB_FORECAST_ALERTS} forecast alert"
            )
        return distinct

    @model_validator(mode="after")
    def _cross_field(self) -> Blueprint:
        if self.region not in REGIONS[self.cloud]:
            known = ", ".join(sorted(REGIONS[self.cloud]))
            raise ValueError(f"region: unknown {self.cloud} region {self.region!r}; known: {known}")
        if self.access.identity == "role" and not self.access.sso_principal_arn:
            raise ValueError("access.ssoPrincipalArn is required when access.identity is 'role'")
        if self.access.identity == "role" and self.access.access_key:
            raise ValueError(
                "access.accessKey needs access.identity 'user'; a role's learner signs in"
                " through their SSO principal"
            )
        # Physical names and the learner's principal, where a cloud needs one, are checked by
        # each cloud's home (`lakelab.clouds.checked`).
        return self

    # --- derived, read-only views ----------------------------------------------------------
    @property
    def names(self) -> Names:
        """The stems of the lab's physical names (each cloud's names: `lakelab.clouds`)."""
        return Names(self.cohort, self.learner, self.name_seed or DEMO_SEED)

    @property
    def stack_name(self) -> str:
        return f"{self.cohort}-{self.learner}-{self.cloud}"

    @property
    def layers(self) -> tuple[Layer, ...]:
        return LAYERS

    @property
    def catalog_layers(self) -> tuple[Layer, ...]:
        return CATALOG_LAYERS

    @property
    def tags(self) -> dict[str, str]:
        """The tags every taggable resource carries, on both clouds."""
        return {
            "cohort": self.cohort,
            "learner": self.learner,
            "course": self.course,
            "expires": self.expires.isoformat(),
            "managed-by": MANAGED_BY,
        }

    def is_expired(self, today: date | None = None) -> bool:
        return self.expires < (today or date.today())


def for_cloud(bp: Blueprint, where: str = "") -> Blueprint:
    """`bp` when it may be deployed to its cloud: it names its organisation's name seed.
    Without one its global names would be the public demo seed's, which any other organisation
    can claim first. `where` prefixes the message (the stack file's name)."""
    if bp.name_seed is None:
        raise BlueprintError(
            f"{where}{CONFIG_NAMESPACE}:nameSeed is missing: a cloud stack needs your"
            " organisation's name seed, or its bucket and account names can collide with another"
            " organisation's; `lakelab cohort init` writes it into every stack it generates (and"
            " keeps it in stacks/.name-seed): copy `lakelab:nameSeed` from there into this file,"
            " or make one with `python -c 'import secrets; print(secrets.token_hex(16))'`"
        )
    return bp


# The top-level `lakelab:<key>` names a stack config may set.
CONFIG_KEYS: Final[tuple[str, ...]] = tuple(
    field.alias or name for name, field in Blueprint.model_fields.items()
)


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to programs as JSON text; accept both forms."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _key_of(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return f"{CONFIG_NAMESPACE}:<config>"
    top = to_camel(parts[0]) if "_" in parts[0] else parts[0]
    rest = "".join(f".{to_camel(p) if '_' in p else p}" for p in parts[1:])
    return f"{CONFIG_NAMESPACE}:{top}{rest}"


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        loc = err["loc"]
        if not loc and ":" in msg.split(" ", 1)[0]:
            # A cross-field check names its own key ("region: ...").
            field, _, msg = msg.partition(": ")
            loc = tuple(field.split("."))
        if err["type"] == "extra_forbidden":
            msg = "is not a lakelab setting (check the spelling)"
        elif err["type"] == "missing":
            msg = "is required"
        lines.append(f"{_key_of(tuple(loc))}: {msg}")
    return "\n".join(lines)


def from_config(
    config: Mapping[str, Any], *, today: date | None = None, allow_expired: bool = False
) -> Blueprint:
    """Build a blueprint from stack config.

    `config` maps either full keys (`lakelab:learner`, as in a stack file) or bare keys
    (`learner`). Keys of other namespaces (`aws:region`) are ignored.
    """
    values: dict[str, Any] = {}
    for key, value in config.items():
        ns, sep, bare = key.partition(":")
        if sep and ns != CONFIG_NAMESPACE:
            continue
        values[bare if sep else key] = _decode(value)
    try:
        bp = Blueprint.model_validate(values)
    except ValidationError as exc:
        raise BlueprintError(_format(exc)) from None
    if not allow_expired and bp.is_expired(today):
        raise BlueprintError(
            f"{CONFIG_NAMESPACE}:expires: {bp.expires.isoformat()} is in the past;"
            " a lab must expire after today"
        )
    return bp
