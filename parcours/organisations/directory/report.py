"""What an import did, counted as it goes (no Django here: the parsing processes fill one too)."""

import time
from dataclasses import dataclass, field

# Invalid lines kept for the report; the count goes on past it.
INVALID_LINES_KEPT = 1000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: int = 0
    invalid_lines: list[tuple[int, str]] = field(default_factory=list)
    # Other counts worth telling the operator (derived emails, dropped SIRETs...), printed as key=value.
    notes: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    elapsed: float = 0.0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.skipped + self.invalid

    @property
    def rows_per_second(self) -> int:
        return round(self.rows / self.elapsed) if self.elapsed else 0

    def add_invalid(self, line: int, reason: str) -> None:
        self.invalid += 1
        if len(self.invalid_lines) < INVALID_LINES_KEPT:
            self.invalid_lines.append((line, reason))

    def note(self, name: str, count: int = 1) -> None:
        self.notes[name] = self.notes.get(name, 0) + count

    def merge(self, other: "ImportReport") -> None:
        """Adds the counts of a part of the import done apart (a parsing process)."""
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        self.invalid += other.invalid
        self.invalid_lines = (self.invalid_lines + other.invalid_lines)[:INVALID_LINES_KEPT]
        for name, count in other.notes.items():
            self.note(name, count)

    def finish(self) -> "ImportReport":
        self.elapsed = time.monotonic() - self.started
        return self

    def summary(self) -> str:
        notes = "".join(f" {name}={count}" for name, count in self.notes.items())
        return (
            f"created={self.created} updated={self.updated} skipped={self.skipped} invalid={self.invalid}{notes}"
            f" elapsed={self.elapsed:.1f}s rows_per_s={self.rows_per_second}"
        )
