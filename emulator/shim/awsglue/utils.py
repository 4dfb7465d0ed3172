"""awsglue.utils.getResolvedOptions: the named `--NAME value` arguments of the run, as Glue resolves them."""
from __future__ import annotations

from typing import Dict, List, Sequence


class GlueArgumentError(Exception):
    pass


def getResolvedOptions(args: Sequence[str], options: List[str]) -> Dict[str, str]:  # noqa: N802 - Glue's name
    wanted = list(dict.fromkeys(options))
    found: Dict[str, str] = {}
    i = 0
    while i < len(args):
        token = args[i]
        if token.startswith("--"):
            key, eq, value = token[2:].partition("=")
            if not eq and i + 1 < len(args) and not args[i + 1].startswith("--"):
                value = args[i + 1]
                i += 1
            found[key] = value
        i += 1
    missing = [name for name in wanted if name not in found]
    if missing:
        raise GlueArgumentError(f"the following arguments are required: {', '.join('--' + m for m in missing)}")
    return {name: found[name] for name in wanted}
