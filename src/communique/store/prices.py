"""Estimated cost of hosted model calls, from the one price table in ``prices.toml``.

The table is dated and names its source; a model it does not list has no estimate
(``None``), and the embedded model costs nothing.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PRICES_FILE = Path(__file__).with_name("prices.toml")


@dataclass(frozen=True)
class Price:
    input: float  # per million prompt tokens
    output: float  # per million completion tokens


@dataclass(frozen=True)
class PriceTable:
    checked: dt.date
    source: str
    currency: str
    models: dict[str, Price]
    #: what a Batch API request costs, as a share of the standard price
    batch_share: float = 1.0

    def cost(
        self, backend: str, model: str, prompt_tokens: int, completion_tokens: int
    ) -> float | None:
        """Estimated cost of the tokens, or None when the model is not in the table."""
        if backend == "local":
            return 0.0
        name = model.partition(":")[2] if ":" in model else model
        price = self.models.get(name)
        if price is None:
            return None
        return (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000

    def cost_with_batch(
        self,
        backend: str,
        model: str,
        tokens: tuple[int, int],
        batch_tokens: tuple[int, int] = (0, 0),
    ) -> float | None:
        """Estimated cost of ``tokens`` (prompt, completion) of which ``batch_tokens`` were
        answered through the Batch API, at :attr:`batch_share` of the price."""
        live = self.cost(backend, model, tokens[0] - batch_tokens[0], tokens[1] - batch_tokens[1])
        batched = self.cost(backend, model, *batch_tokens)
        if live is None or batched is None:
            return None
        return live + self.batch_share * batched


@cache
def price_table(path: Path = PRICES_FILE) -> PriceTable:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    checked = data["checked"]
    return PriceTable(
        checked=checked if isinstance(checked, dt.date) else dt.date.fromisoformat(str(checked)),
        source=str(data["source"]),
        currency=str(data.get("currency", "USD")),
        batch_share=float(data.get("batch_share", 1.0)),
        models={
            name: Price(float(p["input"]), float(p["output"]))
            for name, p in data.get("models", {}).items()
        },
    )
