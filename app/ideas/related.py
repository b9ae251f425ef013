"""Related ideas for the API and the pages: the pure model (:mod:`matching.ideas.relatedness`)
on the ideas of the call the caller may see, with the registry graph of today."""

from __future__ import annotations

from typing import Any

from app.ideas.service import visible_ideas
from app.models import Idea, User
from app.partners.service import matching_errors
from app.registry.service import current_graph
from matching.ideas.relatedness import (
    DEFAULT_RELATEDNESS,
    IdeaInput,
    RelatednessModel,
    related_as_dict,
)


def idea_input(row: Idea) -> IdeaInput:
    """The words and facts relatedness compares of an idea."""
    text = "\n".join(t for t in (row.problem, row.solution, row.brings) if t)
    return IdeaInput(row.id, row.municipality.current().refnis, row.title, text,
                     tuple(row.domains or ()), tuple(row.seeks or ()))


def model_for(rows: list[Idea]) -> RelatednessModel:
    with matching_errors():
        return RelatednessModel.build([idea_input(r) for r in rows], current_graph(),
                                      DEFAULT_RELATEDNESS)


def related_ideas(row: Idea, user: User | None, limit: int = 10) -> dict[str, Any]:
    """The ideas most worth talking to for ``row``, among those ``user`` may see, best first."""
    rows = visible_ideas(row.call, user)
    if row not in rows:
        rows.append(row)
    by_id = {r.id: r for r in rows}
    with matching_errors():
        found = model_for(rows).related(row.id, limit)
    items = []
    for item in found:
        other = by_id[item.idea]
        items.append({**related_as_dict(item), "title": other.title,
                      "name_nl": other.municipality.name_nl})
    return {"idea": row.id, "items": items, "weights": DEFAULT_RELATEDNESS.as_dict()}
