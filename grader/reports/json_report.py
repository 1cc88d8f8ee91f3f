"""The JSON report: one object, the contract other tools parse (see shared/DESIGN.md)."""
import json


def render(result, **_options) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"
