"""The pricing catalog: `pricing/catalog.yaml`, validated once when read.

The catalog lives beside the Pulumi program (not in the stacks folder), so `LAKELAB_HOME`
does not move it; `LAKELAB_PRICING` names another catalog file (tests, a negotiated price list).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Final

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from lakelab.errors import UserError
from lakelab.settings import PRICING, Settings

PRICING_ENV: Final = PRICING
SCHEMA: Final = "lakelab.pricing/v1"
VENDOR_HOSTS: Final = ("https://aws.amazon.com/", "https://azure.microsoft.com/")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Price(_Strict):
    usd: float = Field(ge=0)
    unit: str
    what: str
    # The smallest charge per run or query, as the source page states it (10 MB per query).
    minimum: float | None = Field(default=None, gt=0)
    minimum_unit: str | None = None
    as_of: date
    source: str

    @model_validator(mode="after")
    def _minimum_has_unit(self) -> Price:
        if (self.minimum is None) != (self.minimum_unit is None):
            raise ValueError("minimum and minimum_unit go together")
        return self

    @field_validator("source")
    @classmethod
    def _vendor_page(cls, v: str) -> str:
        if not v.startswith(VENDOR_HOSTS):
            raise ValueError(f"{v!r} is not a vendor pricing page ({', '.join(VENDOR_HOSTS)})")
        return v


class Assumption(_Strict):
    value: float = Field(ge=0)
    what: str


class Course(_Strict):
    weeks: float = Field(gt=0)
    hours_per_week: float = Field(ge=0)


class Catalog(_Strict):
    schema_: str = Field(alias="schema")
    currency: str
    reference_regions: dict[str, str]
    hours_per_month: float = Field(gt=0)
    prices: dict[str, Price]
    assumptions: dict[str, Assumption]
    course: Course

    @field_validator("schema_")
    @classmethod
    def _schema(cls, v: str) -> str:
        if v != SCHEMA:
            raise ValueError(f"schema is {v!r}; this lakelab reads {SCHEMA}")
        return v

    def usd(self, price_id: str) -> float:
        return self.price(price_id).usd

    def price(self, price_id: str) -> Price:
        try:
            return self.prices[price_id]
        except KeyError:
            raise UserError(f"the pricing catalog has no price {price_id!r}") from None

    def minimum(self, price_id: str) -> float:
        """The billing minimum a price carries (in its `minimum_unit`)."""
        price = self.price(price_id)
        if price.minimum is None:
            raise UserError(f"the pricing catalog's price {price_id!r} has no minimum")
        return price.minimum

    def value(self, name: str) -> float:
        try:
            return self.assumptions[name].value
        except KeyError:
            raise UserError(f"the pricing catalog has no assumption {name!r}") from None

    @property
    def oldest_price(self) -> date:
        return min(p.as_of for p in self.prices.values())


def catalog_path() -> Path:
    chosen = Settings.current().pricing_file
    if chosen is not None:
        return chosen
    return Path(__file__).resolve().parents[2] / "pricing" / "catalog.yaml"


@lru_cache(maxsize=4)
def _load(path: Path) -> Catalog:
    try:
        doc = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise UserError(f"no pricing catalog at {path} (set {PRICING_ENV} to another)") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({exc})") from None
    try:
        return Catalog.model_validate(doc)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise UserError(f"{path}: {problems}") from None


def load_catalog(path: Path | None = None) -> Catalog:
    return _load((path or catalog_path()).resolve())
