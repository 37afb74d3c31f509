"""Tests for the bundled datasets: every event sourced, dated with a precision, linked with a reason."""

from __future__ import annotations

from importlib import resources

import pytest

import negotiation_model as nm

EPISODES = nm.list_episodes()


def test_at_least_seven_episodes_are_bundled() -> None:
    """The corpus has the two core episodes and five more, Japan-Russia among them."""
    assert len(EPISODES) >= 7
    for eid in ("japan-dprk-2002", "japan-dprk-2023-24", "japan-russia-northern-territories"):
        assert eid in EPISODES


@pytest.mark.parametrize("episode_id", EPISODES)
def test_file_name_matches_the_episode_id(episode_id: str) -> None:
    """Each bundled file is named after the episode it holds."""
    assert nm.load_episode(episode_id).id == episode_id
    assert resources.files("negotiation_model").joinpath("data", "episodes", f"{episode_id}.yaml").is_file()


@pytest.mark.parametrize("episode_id", EPISODES)
def test_every_event_is_sourced_dated_and_summarised(episode_id: str) -> None:
    """Every event cites a declared source with a URL, has a date precision and a summary of its own."""
    ep = nm.load_episode(episode_id)
    assert ep.events
    for e in ep.events:
        assert e.sources, e.id
        assert isinstance(e.date_precision, nm.DatePrecision)
        assert len(e.summary.split()) >= 5, e.id
        for s in e.sources:
            assert ep.sources[s].url or ep.sources[s].title, (e.id, s)


@pytest.mark.parametrize("episode_id", EPISODES)
def test_every_declared_source_is_cited(episode_id: str) -> None:
    """No source is declared without an event or quote citing it."""
    ep = nm.load_episode(episode_id)
    cited = {s for e in ep.events for s in e.sources} | {e.quote.source for e in ep.events if e.quote}
    assert set(ep.sources) <= cited


@pytest.mark.parametrize("episode_id", EPISODES)
def test_quotes_are_short_and_cited_by_their_event(episode_id: str) -> None:
    """Quotes are short official phrases, and the quote's source is among the event's sources."""
    ep = nm.load_episode(episode_id)
    for e in ep.events:
        if e.quote is not None:
            assert len(e.quote.text.split()) <= 40, e.id
            assert e.quote.source in e.sources, e.id


@pytest.mark.parametrize("episode_id", EPISODES)
def test_every_link_has_a_reason(episode_id: str) -> None:
    """Each responds_to link in the bundled data records why it was drawn."""
    ep = nm.load_episode(episode_id)
    for e in ep.events:
        if e.responds_to:
            assert len(e.link_reasons) == len(e.responds_to), e.id
            assert all(r.strip() for r in e.link_reasons), e.id


@pytest.mark.parametrize("episode_id", EPISODES)
def test_roles_are_states_and_the_red_line_is_used(episode_id: str) -> None:
    """The initiator and respondent are states, and some event touches the red line."""
    ep = nm.load_episode(episode_id)
    assert ep.actors[ep.roles.initiator].kind is nm.ActorKind.STATE
    assert ep.actors[ep.roles.respondent].kind is nm.ActorKind.STATE
    assert any(ep.touches_red_line(e) for e in ep.events)


def test_the_article_is_cited_in_the_2023_24_episode() -> None:
    """The source article (Asmolov, New Eastern Outlook, 2024) is a declared and cited source."""
    ep = nm.load_episode("japan-dprk-2023-24")
    article = [s for s in ep.sources.values() if s.author and "Asmolov" in s.author]
    assert article
    assert any(article[0].id in e.sources for e in ep.events)


def test_third_party_reactions_of_2024_are_month_or_day_dated_statements() -> None:
    """US and ROK reactions are third-party statements, dated with their precision."""
    ep = nm.load_episode("japan-dprk-2023-24")
    third = [e for e in ep.events if ep.role_of(e.actor) is nm.Role.THIRD_PARTY]
    assert {ep.actors[e.actor].represents or e.actor for e in third} >= {"USA", "ROK"}
    assert all(e.kind is nm.EventKind.STATEMENT for e in third)
