"""The metric catalogue: one module per family, one registry that names them."""

from __future__ import annotations

from csaudit.metrics import accessibility, accuracy, efficiency, orders, satisfaction, speed
from csaudit.metrics.base import Metric, Unit

_FAMILIES = (speed, accuracy, accessibility, efficiency, satisfaction, orders)

#: Every metric by name. Profiles refer to metrics by these names.
REGISTRY: dict[str, Metric] = {cls.name: cls() for family in _FAMILIES for cls in family.METRICS}

__all__ = ["REGISTRY", "Metric", "Unit"]
