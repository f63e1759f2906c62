"""Nodes on the system clipboard as JSON text (``nnstudio.graph.files.serialize`` layout), so a
copy in one window pastes in another. Learned arrays are written inline as nested lists."""

from __future__ import annotations

import atexit
import json
from typing import Any

import numpy as np
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from nnstudio.graph.errors import GraphError
from nnstudio.graph.files.serialize import (
    ArrayReader,
    ArrayWriter,
    FormatError,
    document_from_data,
    document_to_data,
    is_numeric_dtype,
)
from nnstudio.graph.model.document import Document

FRAGMENT_MIME = "application/x-nnstudio-fragment"
_MARK = "nnstudio_fragment"
_VERSION = 1


def fragment_to_text(fragment: Document) -> str:
    """The nodes and edges of ``fragment`` as JSON text."""
    writer = ArrayWriter()
    graph = document_to_data(fragment, writer)
    arrays = {key: {"dtype": a.dtype.str, "shape": list(a.shape), "data": a.tolist()}
              for key, a in writer.arrays.items()}
    return json.dumps({_MARK: _VERSION, "graph": graph, "arrays": arrays}, indent=1)


def _array(raw: Any) -> np.ndarray:
    dtype = np.dtype(str(raw["dtype"]))
    if not is_numeric_dtype(dtype):
        raise FormatError(f"an array has the non-numeric type {dtype.str}")
    return np.asarray(raw["data"], dtype=dtype).reshape([int(n) for n in raw["shape"]])


def fragment_from_text(text: str) -> Document:
    """Parse clipboard text; raises GraphError with a sentence if it is not NN Studio nodes."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get(_MARK) != _VERSION:
            raise FormatError("it has no NN Studio fragment marker")
        raw_arrays = data.get("arrays", {})
        if not isinstance(raw_arrays, dict):
            raise FormatError("its array list is not a mapping")
        reader = ArrayReader({str(k): _array(v) for k, v in raw_arrays.items()})
        fragment = document_from_data(data.get("graph"), reader)
        reader.check_all_used()
    except (ValueError, TypeError, KeyError) as error:  # FormatError and JSON errors too
        raise GraphError(f"The clipboard does not hold NN Studio nodes ({error}).") from None
    return fragment


def put_fragment(fragment: Document) -> None:
    """Place ``fragment`` on the system clipboard (our mime type plus plain text)."""
    text = fragment_to_text(fragment)
    mime = QMimeData()
    mime.setData(FRAGMENT_MIME, text.encode("utf-8"))
    mime.setText(text)
    QGuiApplication.clipboard().setMimeData(mime)
    _clear_clipboard_at_exit()


_exit_hook_registered = False


def _clear_clipboard_at_exit() -> None:
    """Empty the clipboard before Python shuts down.

    The clipboard owns the QMimeData we gave it; if it still holds it when the interpreter
    tears the QApplication down, PySide6 frees it twice and the process ends with a
    segmentation fault (seen with PySide6 6.11 on the offscreen and xcb platforms).
    """
    global _exit_hook_registered
    if not _exit_hook_registered:
        atexit.register(_clear_own_clipboard)
        _exit_hook_registered = True


def _clear_own_clipboard() -> None:
    app = QGuiApplication.instance()
    if app is not None:
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasFormat(FRAGMENT_MIME):
            clipboard.clear()


def get_fragment() -> Document | None:
    """The nodes on the clipboard, or None if it holds something else entirely."""
    mime = QGuiApplication.clipboard().mimeData()
    if mime is None:
        return None
    if mime.hasFormat(FRAGMENT_MIME):
        text = bytes(mime.data(FRAGMENT_MIME).data()).decode("utf-8", errors="replace")
    elif mime.hasText() and _MARK in mime.text():
        text = mime.text()
    else:
        return None
    return fragment_from_text(text)
