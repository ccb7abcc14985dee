"""Streaming the official CSV files: columns found by name, one row at a time, with its line number."""

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


class DirectoryFileError(Exception):
    """A file that cannot be read as the expected directory file; the message is for the operator, in French."""


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each wanted column sits in a row; names compared case-insensitively, absent optional ones = None."""

    positions: dict[str, int | None]
    width: int

    def __getitem__(self, name: str) -> int | None:
        return self.positions[name]


@contextmanager
def csv_open(path: Path) -> Iterator[TextIO]:
    try:
        # utf-8-sig: the annuaire's export starts with a byte order mark.
        file = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise DirectoryFileError(f"Fichier introuvable : {path}") from None
    except OSError as error:
        raise DirectoryFileError(f"Lecture impossible de {path} : {error.strerror}") from None
    with file:
        yield file


class CsvRows:
    """The rows of the file as lists of cells, read as the file streams; `line` says where the last one ended.

    A row ends on the line it starts on unless a quoted cell holds a line break: the official files have
    none, so `line` is the row's line in the file (the header is line 1).
    """

    def __init__(self, reader) -> None:
        self._reader = reader

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self._reader)

    @property
    def line(self) -> int:
        # The reader counts from the line after the header.
        return self._reader.line_num + 1


@contextmanager
def csv_table(
    path: Path, *, required: Sequence[str], optional: Sequence[str] = ()
) -> Iterator[tuple[Columns, CsvRows]]:
    """The columns of the header and the rows after it (a blank line is an empty list).

    The delimiter is the one the header uses (";" for the annuaire, "," for SIRENE). A missing required
    column, a file that is not UTF-8 or a broken quote stops the import with a DirectoryFileError.
    """
    with csv_open(path) as file:
        try:
            header_line = file.readline()
        except UnicodeDecodeError:
            raise DirectoryFileError(f"{path} n'est pas en UTF-8.") from None
        if not header_line.strip():
            raise DirectoryFileError(f"{path} est vide : il faut au moins la ligne d'en-tête.")
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        header = [name.strip().lower() for name in next(csv.reader([header_line], delimiter=delimiter))]
        missing = [name for name in required if name.lower() not in header]
        if missing:
            raise DirectoryFileError(f"{path} : colonnes absentes de l'en-tête : {', '.join(missing)}.")
        positions: dict[str, int | None] = {name: header.index(name.lower()) for name in required}
        positions.update({name: (header.index(name.lower()) if name.lower() in header else None) for name in optional})
        # strict: a broken quote stops the import instead of swallowing the rest of the file into a cell.
        rows = CsvRows(csv.reader(file, delimiter=delimiter, strict=True))
        try:
            yield Columns(positions, len(header)), rows
        except UnicodeDecodeError:
            raise DirectoryFileError(f"{path} n'est pas en UTF-8 (vers la ligne {rows.line + 1}).") from None
        except csv.Error as error:
            raise DirectoryFileError(f"{path}, ligne {rows.line} illisible : {error}") from None
