"""The one potential rule (DESIGN §4.7, seeds 000:2570-2592).

Potential rates the opportunity, not today's supply. Four criteria, each ``low`` /
``medium`` / ``high``:

=================  ================  ==================
criterion          favourable        unfavourable
=================  ================  ==================
market_demand      high              low
investment (SEC)   low               high
competence_fit     high              low
binding (local)    high              low
=================  ================  ==================

``high`` when no criterion is unfavourable and at most one is merely medium; ``low`` when
none is favourable; ``medium`` otherwise ("a mix of criteria from high and low"). This
reproduces every opportunity card of the seeds (the calibration table in DESIGN §4.7): returns
logistics is ``high`` with medium binding, product displays ``medium`` for their production
line, warehouse tasks ``medium`` with two merely medium criteria. The earlier rule (any weak
criterion makes it ``low``, ``high`` only when all four are favourable) could never rate
returns ``high``.
"""

from __future__ import annotations

LEVELS = ("low", "medium", "high")
CRITERIA = ("market_demand", "investment", "competence_fit", "binding")
FAVOURABLE = {"market_demand": "high", "investment": "low", "competence_fit": "high",
              "binding": "high"}
UNFAVOURABLE = {"market_demand": "low", "investment": "high", "competence_fit": "low",
                "binding": "low"}


def rate_potential(market_demand: str, investment: str, competence_fit: str, binding: str) -> str:
    """Rate an opportunity from its four criteria.

    Examples
    --------
    >>> rate_potential("high", "low", "high", "medium")  # returns logistics, 000:3448
    'high'
    >>> rate_potential("high", "high", "high", "high")  # product displays, 000:2958
    'medium'
    >>> rate_potential("low", "high", "low", "medium")
    'low'
    """
    values = dict(zip(CRITERIA, (market_demand, investment, competence_fit, binding), strict=True))
    for name, value in values.items():
        if value not in LEVELS:
            raise ValueError(f"{name} must be one of low, medium, high; got {value!r}")
    favourable = sum(values[c] == FAVOURABLE[c] for c in CRITERIA)
    unfavourable = sum(values[c] == UNFAVOURABLE[c] for c in CRITERIA)
    medium = len(CRITERIA) - favourable - unfavourable
    if unfavourable == 0 and medium <= 1:
        return "high"
    if favourable == 0:
        return "low"
    return "medium"
