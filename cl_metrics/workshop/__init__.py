"""Co-design workshops: rooms and their cards (rooms), participants' answers (answers), the room's
results and exports (tally), and what goes on paper or the projector (printing).

`from cl_metrics import workshop as ws` gives the whole public surface below.
"""
from cl_metrics.workshop.answers import (FAIR, MATTERS, TEXT_LIMIT, TOKEN, Answer, WorkshopError, answers_of, clean_text,
                                         new_participant, next_card, personal_details, set_approved, submit)
from cl_metrics.workshop.printing import join_qr_png, printable_cards
from cl_metrics.workshop.rooms import (DECISIONS, NAME_LIMIT, Workshop, cards, close_workshop, create_workshop,
                                       decision_table, decisions, delete_workshop, discussable, find, new_code,
                                       normalise_code, record_decision, workshops)
from cl_metrics.workshop.tally import (AVERAGE, OPINION_MINIMUM, QUESTIONS, Results, answers_chart, comments_export,
                                       comments_to_review, results, results_summary, waiting)

__all__ = ["AVERAGE", "Answer", "DECISIONS", "FAIR", "MATTERS", "NAME_LIMIT", "OPINION_MINIMUM", "QUESTIONS",
           "Results", "TEXT_LIMIT", "TOKEN", "Workshop", "WorkshopError", "answers_chart", "answers_of", "cards", "clean_text",
           "close_workshop", "comments_export", "comments_to_review", "create_workshop", "decision_table",
           "decisions", "delete_workshop", "discussable", "find", "join_qr_png", "new_code", "new_participant",
           "next_card", "normalise_code", "personal_details", "printable_cards", "record_decision", "results",
           "results_summary", "set_approved", "submit", "waiting", "workshops"]
