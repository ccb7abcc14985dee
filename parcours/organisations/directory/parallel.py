"""Parsing in a separate process, so that it runs beside the database's work instead of taking turns.

One Python process cannot parse a batch while it waits for the database to load the previous one: a
parsing thread would share the GIL with the thread that talks to the database and slow it down. A
spawned process (no Django, no database connection inherited) parses and sends its batches through a
bounded queue; the caller loads them. Worth it for the SIRENE stock only: a process costs ~0.2 s to start.
"""

import gc
import multiprocessing
import queue
import traceback
from collections.abc import Callable, Iterator
from typing import TypeVar

from parcours.organisations.directory.csvfiles import DirectoryFileError
from parcours.organisations.directory.report import ImportReport

T = TypeVar("T")
# Batches parsed ahead of the loading: enough to never wait for the parser, few enough to bound memory.
QUEUE_DEPTH = 4


def batches_from_process(producer: Callable[..., Iterator[T]], *args: object, report: ImportReport) -> Iterator[T]:
    """The items of producer(*args, report), made in a spawned process; its report is merged into `report`.

    `producer` must be importable without Django (directory/sirene.py). Its DirectoryFileError is raised
    here as it was; any other error becomes a RuntimeError carrying the process's traceback.
    """
    context = multiprocessing.get_context("spawn")
    channel = context.Queue(maxsize=QUEUE_DEPTH)
    process = context.Process(target=_produce, args=(channel, producer, args), name="directory-parser", daemon=True)
    process.start()
    try:
        while True:
            kind, payload = _next(channel, process)
            if kind == "item":
                yield payload
            elif kind == "done":
                report.merge(payload)
                return
            elif kind == "file error":
                raise DirectoryFileError(payload)
            else:
                raise RuntimeError(f"L'analyse du fichier a échoué :\n{payload}")
    finally:
        if process.is_alive():
            # The caller stopped early (an error while loading): the parser is of no use any more.
            process.terminate()
        process.join()
        process.close()
        channel.close()
        channel.join_thread()


def _next(channel, process) -> tuple[str, object]:
    while True:
        try:
            return channel.get(timeout=1)
        except queue.Empty:
            if process.is_alive():
                continue
        # The process is gone: what it sent last may still be on its way, then nothing more will come.
        try:
            return channel.get(timeout=1)
        except queue.Empty:
            raise RuntimeError(f"L'analyse du fichier s'est arrêtée (code {process.exitcode}).") from None


def _produce(channel, producer: Callable[..., Iterator[object]], args: tuple) -> None:
    # Millions of short-lived lists of cells and no cycle among them: the collector would only cost time.
    gc.disable()
    report = ImportReport()
    try:
        for item in producer(*args, report):
            channel.put(("item", item))
    except DirectoryFileError as error:
        channel.put(("file error", str(error)))
    # Whatever it is, the caller raises it, with this traceback.
    except BaseException:
        channel.put(("error", traceback.format_exc()))
    else:
        channel.put(("done", report))
