"""The pieces every schema of a preset shares: strict frozen models, and numbers with their source."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(_Strict):
    """A number with its source; rel_unc is the relative 1σ uncertainty where known."""

    value: float
    source: str = Field(min_length=3)
    rel_unc: float = Field(default=0.0, ge=0.0, le=5.0)
    note: str = ""


class Count(_Strict):
    value: int = Field(ge=0)
    source: str = Field(min_length=3)


def _positive(q: Quantity, name: str) -> None:
    if not (math.isfinite(q.value) and q.value > 0):
        raise ValueError(f"{name} must be finite and > 0 (got {q.value})")


def _efficiency(q: Quantity | None, name: str) -> None:
    if q is not None and not (math.isfinite(q.value) and 0.0 < q.value <= 1.0):
        raise ValueError(f"{name} must be in (0, 1] (got {q.value})")
