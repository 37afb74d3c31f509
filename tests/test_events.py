"""Tests for the event records."""

from __future__ import annotations

import datetime as dt
import pickle

import attrs
import pytest

import negotiation_model as nm
from negotiation_model.events import FrozenMap, date_span, not_before, truncate

D = dt.date(2024, 2, 15)


def make(**changes: object) -> nm.Event:
    fields: dict[str, object] = {"kind": "offer", "actor": "JPN", "sources": ("s",)}
    fields.update(changes)
    return nm.Event("e1", fields.pop("date", D), **fields)  # type: ignore[arg-type]


def test_event_converts_plain_values_to_typed_ones() -> None:
    """Kinds, precisions, issues and links given as plain values become enums, frozensets and tuples."""
    e = make(kind="precondition", issues=["abductees"], responds_to=["e0"], date_precision="day")
    assert e.kind is nm.EventKind.PRECONDITION
    assert e.date_precision is nm.DatePrecision.DAY
    assert e.issues == frozenset({"abductees"})
    assert e.responds_to == ("e0",)


def test_event_is_frozen_and_hashable() -> None:
    """Events cannot be changed in place; equal events hash alike; they pickle."""
    e = make()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        e.actor = "PRK"  # type: ignore[misc]
    assert hash(e) == hash(make())
    assert pickle.loads(pickle.dumps(e)) == e


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sources": ()}, "sources"),
        ({"date": "2024-02-15"}, "date"),
        ({"actor": ""}, "actor"),
        ({"responds_to": ("e1",)}, "responds_to"),
        ({"responds_to": ("a", "a")}, "responds_to"),
        ({"responds_to": ("a",), "link_reasons": ("x", "y")}, "link_reasons"),
        ({"date": dt.date(2024, 2, 15), "date_precision": "month"}, "date"),
        ({"codes": {"cameo": "036"}}, "codes"),
    ],
)
def test_invalid_event_raises_data_error_naming_the_field(changes: dict[str, object], field: str) -> None:
    """An event built with a bad field raises DataError naming the event and the field."""
    with pytest.raises(nm.DataError, match=field) as info:
        make(**changes)
    assert "e1" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_kind_is_a_value_error() -> None:
    """An unknown kind string is rejected."""
    with pytest.raises(ValueError, match="ofer"):
        make(kind="ofer")


def test_blank_link_reasons_mean_none_recorded() -> None:
    """All-blank reasons normalise to an empty tuple, so files round-trip."""
    assert make(responds_to=["a"], link_reasons=[""]).link_reasons == ()


def test_month_precision_date_spans_its_month() -> None:
    """A month-precision date stands for every day of its month, leap days included."""
    e = make(date=dt.date(2024, 2, 1), date_precision="month")
    assert e.date_text == "2024-02"
    assert e.date_span == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert date_span(dt.date(2023, 12, 1), nm.DatePrecision.MONTH)[1] == dt.date(2023, 12, 31)
    assert date_span(dt.date(2002, 1, 1), nm.DatePrecision.YEAR) == (dt.date(2002, 1, 1), dt.date(2002, 12, 31))


def test_not_before_compares_at_the_coarser_precision() -> None:
    """An answer dated by month may answer an event of a day in that month, not one of the next month."""
    answered = make(date=dt.date(2024, 2, 15))
    month = nm.Event("a", dt.date(2024, 2, 1), date_precision="month", kind="statement", actor="X", sources=["s"])
    assert not_before(month, answered)
    later = make(date=dt.date(2024, 3, 2))
    assert not not_before(month, later)
    assert truncate(dt.date(2024, 2, 15), nm.DatePrecision.YEAR) == dt.date(2024, 1, 1)


def test_source_needs_a_title_or_url() -> None:
    """A source with neither title nor url cannot be found, so it is rejected."""
    with pytest.raises(nm.DataError, match="title or a url"):
        nm.Source("s")
    assert nm.Source("s", url="https://example.org").url == "https://example.org"


def test_codes_reject_goldstein_out_of_range() -> None:
    """Goldstein scores run from -10 to 10."""
    with pytest.raises(nm.DataError, match="goldstein"):
        nm.Codes("036", goldstein=11)
    assert nm.Codes().is_empty()
    assert not nm.Codes("036").is_empty()


def test_frozen_map_is_a_read_only_hashable_mapping() -> None:
    """FrozenMap compares like a dict, hashes by content, pickles, and has no item assignment."""
    m = FrozenMap({"a": 1, "b": 2})
    assert m == {"a": 1, "b": 2}
    assert hash(m) == hash(FrozenMap({"b": 2, "a": 1}))
    assert pickle.loads(pickle.dumps(m)) == m
    with pytest.raises(TypeError):
        m["a"] = 3  # type: ignore[index]
