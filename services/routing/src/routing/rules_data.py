"""The rule set shipped with routing (``data/rules.yaml``): in force until a higher version is stored through the
API."""

from functools import cache
from importlib.resources import files

from routing.domain.rules import RuleSet


@cache
def packaged_rules() -> RuleSet:
    return RuleSet.from_yaml((files("routing") / "data" / "rules.yaml").read_text(encoding="utf-8"))
