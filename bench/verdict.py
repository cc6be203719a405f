"""The one line every benchmark ends with, per measured pair: ``bench: NAME ratio=X target=Y ok|short``.

Absolute figures are not stable on a shared machine, so each benchmark measures its floor in the
same run and judges the ratio. ``at_least`` says which side of the target is good.
"""

from __future__ import annotations


def verdict(name: str, ratio: float, target: float, *, at_least: bool = False, detail: str = "") -> bool:
    """Print the line and return whether the target is met."""
    ok = ratio >= target if at_least else ratio <= target
    sign = "≥" if at_least else "≤"
    extra = f" ({detail})" if detail else ""
    print(f"bench: {name} ratio={ratio:.2f} target={sign}{target:g} {'ok' if ok else 'short'}{extra}", flush=True)
    return ok
