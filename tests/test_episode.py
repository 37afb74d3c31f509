"""Tests for episodes: validation, time order, the response graph and edits."""

from __future__ import annotations

import datetime as dt

import attrs
import networkx as nx
import pytest

import negotiation_model as nm
from negotiation_model.episode import answer_closure


def ev(eid: str, day: int, kind: str = "statement", actor: str = "A", **kw: object) -> nm.Event:
    date = kw.pop("date", None) or dt.date(2024, 3, day)
    kw.setdefault("sources", ("s",))
    return nm.Event(eid, date, kind=kind, actor=actor, **kw)  # type: ignore[arg-type]


def episode(*events: nm.Event) -> nm.Episode:
    return nm.Episode(
        id="t",
        title="test",
        roles=nm.Roles("A", "B"),
        red_line="r",
        actors={
            "A": nm.Actor("A", "State A"),
            "B": nm.Actor("B", "State B"),
            "C": nm.Actor("C", "State C"),
            "minister": nm.Actor("minister", "Minister of A", kind="person", represents="A"),
        },
        sources={"s": nm.Source("s", "A source")},
        events=events,
    )


def test_roles_resolve_through_represents() -> None:
    """A person who represents the initiator acts as the initiator; others are third parties."""
    ep = episode()
    assert ep.role_of("minister") is nm.Role.INITIATOR
    assert ep.role_of("B") is nm.Role.RESPONDENT
    assert ep.role_of("C") is nm.Role.THIRD_PARTY
    assert ep.role_map["minister"] is nm.Role.INITIATOR


def test_events_are_sorted_by_date_and_stable() -> None:
    """Events given out of order come back by date; same-day events keep the order given."""
    ep = episode(ev("c", 3), ev("a", 1), ev("b1", 2), ev("b2", 2))
    assert ep.event_ids == ("a", "b1", "b2", "c")


def test_month_precision_event_keeps_its_place_among_the_days_of_its_month() -> None:
    """A month-dated event given after a day in its month stays after it (overlap: order given)."""
    month = ev("m", 0, date=dt.date(2024, 3, 1), date_precision="month")
    ep = episode(ev("d10", 10), month, ev("d20", 20))
    assert ep.event_ids == ("d10", "m", "d20")
    first = episode(month, ev("d10", 10))
    assert first.event_ids == ("m", "d10")


def test_an_answer_never_comes_before_what_it_answers() -> None:
    """A month-dated answer given first still follows the day-dated event it answers."""
    answer = ev("ans", 0, date=dt.date(2024, 3, 1), date_precision="month", responds_to=["q"])
    ep = episode(answer, ev("q", 15), ev("later", 20))
    ids = ep.event_ids
    assert ids.index("q") < ids.index("ans")
    assert ids[-1] == "later"


def test_episode_lists_every_reference_problem() -> None:
    """Undeclared actors, targets and sources, duplicate ids and bad links are all reported at once."""
    with pytest.raises(nm.DataError) as info:
        episode(
            ev("x", 1, actor="Z", target="Y", sources=("nope",)),
            ev("x", 2, responds_to=["missing"]),
        )
    problems = "\n".join(info.value.problems)
    for needle in ("'actor'", "'target'", "'sources'", "duplicate id", "'responds_to'"):
        assert needle in problems
    assert len(info.value.problems) >= 5


def test_answer_dated_before_what_it_answers_is_rejected() -> None:
    """responds_to must point at an event dated no later (at the coarser precision)."""
    with pytest.raises(nm.DataError, match="dated earlier"):
        episode(ev("q", 10), ev("a", 5, responds_to=["q"]))
    ok = episode(ev("q", 10), ev("a", 0, date=dt.date(2024, 3, 1), date_precision="month", responds_to=["q"]))
    assert len(ok) == 2


def test_links_that_loop_are_rejected() -> None:
    """Two same-day events that answer each other cannot be ordered: DataError."""
    with pytest.raises(nm.DataError, match="loop"):
        episode(ev("a", 1, responds_to=["b"]), ev("b", 1, responds_to=["a"]))


def test_represents_loop_is_rejected() -> None:
    """A chain of represents that loops is reported on the actor."""
    with pytest.raises(nm.DataError, match="loops"):
        nm.Episode(
            id="t",
            title="t",
            roles=nm.Roles("A", "B"),
            red_line="r",
            actors={
                "A": nm.Actor("A", "A"),
                "B": nm.Actor("B", "B"),
                "p": nm.Actor("p", "p", represents="q"),
                "q": nm.Actor("q", "q", represents="p"),
            },
            sources={},
            events=(),
        )


def test_response_graph_points_from_each_event_to_its_answers() -> None:
    """The who-answered-whom graph has an edge from an event to every answer, with the reason."""
    ep = episode(ev("q", 1), ev("a", 2, responds_to=["q"], link_reasons=["names q"]), ev("b", 3, responds_to=["a"]))
    g = ep.response_graph()
    assert set(g.edges) == {("q", "a"), ("a", "b")}
    assert g.edges["q", "a"]["reason"] == "names q"
    assert nx.is_directed_acyclic_graph(g)


def test_without_cascade_drops_every_transitive_answer() -> None:
    """cascade=True drops answers, answers to answers, and so on; unrelated events stay."""
    ep = episode(ev("q", 1), ev("a", 2, responds_to=["q"]), ev("b", 3, responds_to=["a"]), ev("other", 4))
    assert ep.without("q", cascade=True).event_ids == ("other",)
    assert answer_closure(ep.response_graph(), ["a"]) == {"a", "b"}


def test_without_no_cascade_unlinks_the_survivors() -> None:
    """Without cascade, answers stay but lose their links to dropped events; the original is untouched."""
    ep = episode(ev("q", 1), ev("a", 2, responds_to=["q"], link_reasons=["r"]))
    cf = ep.without("q")
    assert cf.event_ids == ("a",)
    assert cf.events[0].responds_to == ()
    assert cf.events[0].link_reasons == ()
    assert ep.event_ids == ("q", "a")
    assert ep.events[1].responds_to == ("q",)


def test_without_by_predicate_and_unknown_id() -> None:
    """where= drops matching events; an unknown id is a KeyError naming it."""
    ep = episode(ev("q", 1, kind="offer"), ev("a", 2))
    assert ep.without(where=lambda e: e.kind is nm.EventKind.OFFER).event_ids == ("a",)
    assert ep.without() is ep
    with pytest.raises(KeyError, match="nope"):
        ep.without("nope")


def test_replace_and_insert_return_new_episodes() -> None:
    """replace changes one event (by fields or a new event); insert adds events in time order."""
    ep = episode(ev("q", 1), ev("a", 2, responds_to=["q"]))
    changed = ep.replace("q", kind="offer")
    assert changed.event("q").kind is nm.EventKind.OFFER
    assert ep.event("q").kind is nm.EventKind.STATEMENT
    renamed = ep.replace("q", attrs.evolve(ep.event("q"), id="q2"))
    assert renamed.event("a").responds_to == ("q2",)
    grown = ep.insert(ev("z", 0, date=dt.date(2024, 2, 1)))
    assert grown.event_ids[0] == "z"
    with pytest.raises(nm.DataError, match="duplicate"):
        ep.insert(ev("q", 5))
    with pytest.raises(TypeError):
        ep.replace("q", ev("q", 1), kind="offer")


def test_episode_equality_and_hash_follow_content() -> None:
    """Two episodes built alike are equal and hash alike; an edit makes them differ."""
    a = episode(ev("q", 1))
    b = episode(ev("q", 1))
    assert a == b
    assert hash(a) == hash(b)
    assert a != a.replace("q", kind="offer")


def test_date_range_and_lookup() -> None:
    """date_range gives the first and last dates; event() finds by id or raises KeyError."""
    ep = episode(ev("q", 1), ev("a", 9))
    assert ep.date_range == ("2024-03-01", "2024-03-09")
    assert episode().date_range is None
    with pytest.raises(KeyError):
        ep.event("zz")
