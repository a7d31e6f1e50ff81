"""A team's domain words, learned from the record, are left out of what is compared."""

from __future__ import annotations

from service.domain.similarity.vocabulary import Vocabulary

# Three teams. "merchant" is used twice, only by payments: its domain. "handover" is used by two
# teams: a cause they share. "borehole" is used once: one failure's word, not a team's vocabulary.
RECORD = [
    (1, "Merchant payouts stalled: the handover note had no line for the paused job."),
    (1, "Merchant refunds doubled after a config push reached every region."),
    (2, "A pending potassium recheck was lost at the nursing handover."),
    (3, "The borehole pump waited five weeks for a cup seal."),
]


def test_a_word_several_failures_of_one_team_use_is_a_domain_word():
    vocabulary = Vocabulary.learn(RECORD)
    assert "merchant" in vocabulary.domain
    assert "handover" not in vocabulary.domain  # two teams: a shared cause
    assert "borehole" not in vocabulary.domain  # one failure only
    assert vocabulary.documents == 4


def test_with_fewer_than_three_teams_nothing_is_a_domain_word():
    assert Vocabulary.learn(RECORD[:3]).domain == frozenset()


def test_domain_words_weigh_nothing_and_rare_words_weigh_more():
    vocabulary = Vocabulary.learn(RECORD)
    assert vocabulary.idf("merchant") == 0.0
    assert vocabulary.idf("borehole") > vocabulary.idf("handover") > 0.0


def test_removing_domain_words_keeps_every_other_word_and_number():
    vocabulary = Vocabulary.learn(RECORD)
    text = "Merchant payouts: 3 merchants waited.\nThe handover had no line for it."
    assert vocabulary.without_domain_words(text) == "payouts: 3 waited.\nThe handover had no line for it."
    assert Vocabulary().without_domain_words(text) == text  # nothing learned: nothing removed


def test_on_a_large_record_one_stray_use_does_not_hide_a_domain_word():
    others = [(2, "handover"), (3, "handover")]
    mostly_one_team = [(1, "merchant payout")] * 9 + [(2, "merchant refund")] + others
    assert "merchant" in Vocabulary.learn(mostly_one_team).domain  # 9 of 10 uses: 90 %
    shared = [(1, "merchant payout")] * 8 + [(2, "merchant refund")] + others
    assert "merchant" not in Vocabulary.learn(shared).domain  # 8 of 9: another team uses it too
