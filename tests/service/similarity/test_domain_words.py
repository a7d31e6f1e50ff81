"""Searching across teams: a team's own domain words must not outweigh a cause told by other teams."""

from __future__ import annotations

from service.domain.similarity.history import import_history, parse_records
from service.domain.similarity.search import index_of
from service.domain.similarity.text import text_query

# The ward's two failures share its vocabulary (ward, patient, bed) but not the query's cause;
# two other teams tell the query's cause (a handover with no place for pending work).
RECORD = [
    ("W-1", "Ward", "Patient fell from a ward bed at night",
     "A patient on the ward fell from bed at night; the ward bed alarm had been switched off."),
    ("W-2", "Ward", "Ward patient missed a scan slot",
     "The ward porter rota left the patient on the ward waiting, and the bed scan slot passed."),
    ("O-1", "Ops", "Paused migration forgotten at on-call handoff",
     "The handoff template had no field for work in progress, so the paused migration was forgotten."),
    ("F-1", "Field", "Contractor dispute not passed on by the outgoing officer",
     "The outgoing officer's handover note had no section for open disputes, and work stopped for a month."),
]  # fmt: skip
QUERY = "A patient's pending recheck on the ward was dropped: the ward handover sheet has no line for pending work."


def _import(unit) -> None:
    records = [{"id": i, "team": t, "date": "2024-01-01", "title": ti, "summary": s, "category": "avoidable"}
               for i, t, ti, s in RECORD]  # fmt: skip
    with unit() as services:
        import_history(services.session, parse_records(records))


def test_the_import_teaches_the_index_which_words_are_one_teams(unit, indexed):
    _import(unit)
    _, index = indexed
    assert index.vocabulary.documents == len(RECORD)
    assert {"ward", "patient", "bed"} <= index.vocabulary.domain
    with unit(write=False) as services:
        stored = index_of(services.session).index.metadata_by_id()
    assert len(stored) == len(RECORD)


def test_the_cause_other_teams_share_ranks_above_the_same_ward(unit, indexed):
    _import(unit)
    with unit(write=False) as services:
        hits = services.similar.search(text_query(QUERY), k=4, team_ids=None)
    ranked = [h.failure.external_id for h in hits]
    assert set(ranked[:2]) == {"O-1", "F-1"}, ranked
    assert all("ward" not in h.reason for h in hits)  # a domain word is never given as the reason
