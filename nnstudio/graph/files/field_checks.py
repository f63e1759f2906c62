"""The file boundary's checks of a project's plain fields, arrays and text.

Every value read from a project file passes one of these before it reaches the model, so
a file either opens with values the window can show, train and save again, or is refused
with a phrase naming the field (``FormatError``; the loader adds the file's name):

- training settings: known keys only, each within ``fields.TRAINING_FIELDS``;
- the dataset choice: a known source, its keys only, each of the right type and size;
- run histories: one flat object per epoch (``epoch`` a whole number, values numbers or null);
- (arrays and edge weights are checked where they are read, in ``serialize``);
- text: lone UTF-16 surrogates (valid JSON escapes, not valid Unicode, never encodable)
  become U+FFFD, on the way in and on the way out.
"""

from __future__ import annotations

import re
from typing import Any

from nnstudio.graph.files.serialize import FormatError, expect_text, show
from nnstudio.graph.model.fields import (
    BUILTIN_PARAM_LIMIT,
    DATASET_KEYS,
    MAX_BUILTIN_PARAMS,
    MAX_COLUMNS,
    MAX_NAME_CHARS,
    MAX_PATH_CHARS,
    SEED,
    TRAINING_FIELDS,
    Field,
    FieldError,
    check_value,
    short,
)

MAX_HISTORY_KEYS = 10_000
MAX_EPOCH = 10**9
_COUNTERS = ("epoch", "step", "best_epoch", "epochs_since_best", "member")
_SURROGATE = re.compile("[\ud800-\udfff]")


# ----------------------------------------------------------------------------- text


def without_surrogates(text: str) -> str:
    """``text`` with every unpaired UTF-16 surrogate replaced by U+FFFD (a pair written as
    two code points becomes its one character)."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def clean_strings(value: Any) -> Any:
    """JSON data with ``without_surrogates`` applied to every string and key."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [clean_strings(item) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(k) if isinstance(k, str) else k: clean_strings(v)
                for k, v in value.items()}
    return value


# ----------------------------------------------------------------------------- fields


def field_value(field: Field, value: Any, where: str) -> Any:
    """``value`` checked against ``field`` (FormatError naming ``where``)."""
    try:
        return check_value(field, value)
    except FieldError as error:
        raise FormatError(f"{where} {error}") from None


def seed_from_data(value: Any, where: str) -> int:
    return int(field_value(SEED, value, where))


def training_from_data(raw: Any, where: str) -> dict[str, Any]:
    """Training settings: an object of known settings, each within its declared bounds."""
    if not isinstance(raw, dict):
        raise FormatError(f"{where} should be an object")
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        field = TRAINING_FIELDS.get(key)
        if field is None:
            raise FormatError(f"{where} have the unknown training setting {show(key)}")
        clean[key] = field_value(field, value, f"the training setting {key!r} ({field.label})")
    return clean


def dataset_from_data(raw: Any, where: str) -> dict[str, Any]:
    """The dataset choice: {} (none), or a known source with its own keys, each of the
    right type and size (what the data say is checked when they are loaded)."""
    if not isinstance(raw, dict):
        raise FormatError(f"{where} should be an object")
    if not raw:
        return {}
    source = raw.get("source")
    if not isinstance(source, str) or source not in DATASET_KEYS:
        raise FormatError(f"{where} name the unknown source {short(source)} "
                          f"(known: {', '.join(DATASET_KEYS)})")
    extra = sorted(str(k) for k in set(raw) - DATASET_KEYS[source] - {"source"})
    if extra:
        raise FormatError(f"{where} have the unknown field {short(extra[0])} for a "
                          f"{source} dataset")
    for key, value in raw.items():
        _dataset_value(source, key, value, f"{where} ('{key}')")
    return raw


def _dataset_value(source: str, key: str, value: Any, where: str) -> None:
    if key in ("source",):
        return
    if key in ("path", "images", "labels"):
        text = expect_text(value, where, MAX_PATH_CHARS)
        if "\x00" in text:
            raise FormatError(f"{where} holds a NUL character, which no path can")
    elif key in ("name", "task", "target_kind"):
        if value is not None or key == "name":
            expect_text(value, where, 100)
    elif key == "header":
        if value is not None and not isinstance(value, bool):
            raise FormatError(f"{where} should be true, false or null, not {short(value)}")
    elif key == "params":
        _builtin_params(value, where)
    elif key in ("feature_columns", "target_column"):
        _columns(value, where)


def _builtin_params(value: Any, where: str) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or len(value) > MAX_BUILTIN_PARAMS:
        raise FormatError(f"{where} should be an object of at most {MAX_BUILTIN_PARAMS} "
                          "numbers")
    limit = Field("param", "float", 0.0, "", -BUILTIN_PARAM_LIMIT, BUILTIN_PARAM_LIMIT)
    for name, number in value.items():
        expect_text(name, f"a setting name in {where}", 100)
        field_value(limit, number, f"the setting {short(name)} in {where}")


def _columns(value: Any, where: str) -> None:
    """A column (name or number), a list of them, or null."""
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_COLUMNS:
        raise FormatError(f"{where} lists more than {MAX_COLUMNS:,} columns")
    column = Field("column", "int", 0, "", 0, MAX_COLUMNS)
    for item in items:
        if item is None and not isinstance(value, list):
            continue
        if isinstance(item, str):
            expect_text(item, where, MAX_NAME_CHARS)
        elif isinstance(item, int) and not isinstance(item, bool):
            field_value(column, item, f"a column number in {where}")
        else:
            raise FormatError(f"{where} should name columns by text or number, "
                              f"not {short(item)}")


# ----------------------------------------------------------------------------- history


def history_from_data(raw: list[Any], where: str) -> tuple[dict[str, Any], ...]:
    """Epoch records: flat objects with a whole-number ``epoch``; counters are whole
    numbers or null, every other value a number or null (decoded ``$float`` allowed)."""
    records = []
    for index, record in enumerate(raw):
        at = f"record {index + 1} of {where}"
        if not isinstance(record, dict):
            raise FormatError(f"{at} should be an object, not {short(record)}")
        if len(record) > MAX_HISTORY_KEYS:
            raise FormatError(f"{at} has more than {MAX_HISTORY_KEYS:,} values")
        if "epoch" not in record:
            raise FormatError(f"{at} has no epoch number")
        for key, value in record.items():
            expect_text(key, f"a name in {at}", 200)
            if key in _COUNTERS:
                if value is None and key != "epoch":
                    continue
                if isinstance(value, bool) or not isinstance(value, int) \
                        or not 0 <= value <= MAX_EPOCH:
                    raise FormatError(f"{show(key)} of {at} should be a whole number from 0 "
                                      f"to {MAX_EPOCH:,}, not {short(value)}")
            elif value is not None and (isinstance(value, bool)
                                        or not isinstance(value, int | float)):
                raise FormatError(f"{show(key)} of {at} should be a number or null, "
                                  f"not {short(value)}")
            elif isinstance(value, int) and abs(value) > 2**53:
                raise FormatError(f"{show(key)} of {at} is {short(value)}, too large")
        records.append(record)
    return tuple(records)
