import random

import pytest

from transcription.policy import StreamingPolicy, WordTuple, words_to_text


def words(text: str, *, start: float = 0.0, step: float = 0.4) -> list[WordTuple]:
    """Time `text`'s words back to back, `step` seconds each, from `start`."""
    return [(round(start + i * step, 3), round(start + (i + 1) * step, 3), word) for i, word in enumerate(text.split())]


def texts(timed: list[WordTuple]) -> str:
    return words_to_text(timed)


def test_first_hypothesis_commits_nothing() -> None:
    policy = StreamingPolicy()
    committed, provisional = policy.update(words("We intended to"))
    assert committed == []
    assert texts(provisional) == "We intended to"


def test_two_agreeing_hypotheses_commit_their_common_prefix() -> None:
    policy = StreamingPolicy()
    policy.update(words("We intended to sign"))
    committed, provisional = policy.update(words("We intended to sign fifty members."))
    assert texts(committed) == "We intended to sign"
    assert texts(provisional) == "fifty members."


def test_commit_stops_at_the_first_disagreement() -> None:
    policy = StreamingPolicy()
    policy.update(words("We intended to sign fifteen"))
    committed, provisional = policy.update(words("We intended to sign fifty members."))
    assert texts(committed) == "We intended to sign"
    assert texts(provisional) == "fifty members."
    # "fifty" agrees with the newer hypothesis next time, "fifteen" is forgotten.
    committed, _ = policy.update(words("We intended to sign fifty members. We"))
    assert texts(committed) == "fifty members."


def test_disagreement_on_the_first_word_commits_nothing() -> None:
    policy = StreamingPolicy()
    policy.update(words("The coil dropped"))
    committed, provisional = policy.update(words("A call dropped three times"))
    assert committed == []
    assert texts(provisional) == "A call dropped three times"
    # The newest hypothesis is what the next one is compared with.
    committed, _ = policy.update(words("A call dropped three times in"))
    assert texts(committed) == "A call dropped three times"


def test_case_and_punctuation_changes_still_count_as_agreement() -> None:
    policy = StreamingPolicy()
    policy.update(words("we signed twelve,"))
    committed, _ = policy.update(words("We signed twelve. By"))
    assert texts(committed) == "We signed twelve."  # the newer wording is kept


def test_committed_words_are_never_committed_twice() -> None:
    policy = StreamingPolicy()
    policy.update(words("We intended to"))
    first, _ = policy.update(words("We intended to sign"))
    assert texts(first) == "We intended to"
    # The buffer still holds those words; later passes hear them again, slightly shifted.
    again = words("We intended to sign fifty", start=0.05)
    second, provisional = policy.update(again)
    assert texts(second) == "sign"
    assert texts(provisional) == "fifty"


def test_re_heard_committed_words_with_late_times_are_dropped_by_ngram() -> None:
    policy = StreamingPolicy()
    policy.update(words("the pump failed"))
    policy.update(words("the pump failed on"))  # commits "the pump failed", ends at 1.2
    # Word times drift by more than the overlap tolerance: "failed" re-heard at 1.15-1.5.
    hypothesis = [(1.15, 1.5, "failed"), (1.5, 1.8, "on"), (1.8, 2.1, "Monday.")]
    committed, provisional = policy.update(hypothesis)
    assert texts(committed) == "on"
    assert texts(provisional) == "Monday."


def test_a_genuinely_repeated_word_is_committed_twice() -> None:
    policy = StreamingPolicy()
    policy.update(words("no no we did"))
    committed, _ = policy.update(words("no no we did not"))
    assert texts(committed) == "no no we did"


def test_a_committed_word_heard_again_later_than_its_end_is_not_committed_twice() -> None:
    policy = StreamingPolicy(earlier=2)
    policy.update(words("we were hiring"))
    policy.update(words("we were hiring"))  # commits all three, "hiring" ends at 1.2
    # Two passes time "hiring" after its committed end: past the time filter and the n-gram check.
    late = [(0.0, 0.4, "we"), (0.4, 0.8, "were"), (1.25, 1.6, "hiring"), (1.6, 2.0, "engineers")]
    policy.update(late)
    committed, _ = policy.update(late)
    assert texts(committed) == "engineers"


def test_a_word_the_hypothesis_says_twice_is_committed_twice() -> None:
    policy = StreamingPolicy(earlier=2)
    policy.update(words("we said no"))
    policy.update(words("we said no"))
    policy.update(words("we said no no more"))
    committed, _ = policy.update(words("we said no no more"))
    assert texts(committed) == "no more"


def test_words_starting_before_the_committed_end_are_ignored() -> None:
    policy = StreamingPolicy()
    policy.update(words("one two three"))
    policy.update(words("one two three four"))  # commits up to 1.2
    stale = [(0.2, 0.6, "garbage"), (1.25, 1.6, "four"), (1.6, 2.0, "five")]
    committed, provisional = policy.update(stale)
    assert texts(committed) == "four"
    assert texts(provisional) == "five"


def test_trim_point_is_the_end_of_the_last_committed_sentence() -> None:
    policy = StreamingPolicy()
    hypothesis = words("We intended fifty. We signed twelve. The phone")
    assert policy.trim_point() is None
    policy.update(hypothesis)
    assert policy.trim_point() is None  # provisional sentence ends do not count
    policy.update(hypothesis)
    assert policy.trim_point() == pytest.approx(hypothesis[5][1])  # after "twelve."


def test_no_trim_point_without_a_committed_sentence_end() -> None:
    policy = StreamingPolicy()
    policy.update(words("so the spares"))
    policy.update(words("so the spares arrived"))
    assert policy.trim_point() is None


def test_forget_before_moves_the_trim_point() -> None:
    policy = StreamingPolicy()
    hypothesis = words("One. Two. Three")
    policy.update(hypothesis)
    policy.update(hypothesis)
    assert policy.trim_point() == pytest.approx(0.8)
    policy.forget_before(0.8)
    assert policy.trim_point() is None
    # Words still count as committed for the time filter after they are forgotten.
    committed, _ = policy.update([(0.0, 0.4, "One."), (0.8, 1.2, "Three")])
    assert committed == []


def test_flush_commits_everything_provisional() -> None:
    policy = StreamingPolicy()
    policy.update(words("We signed twelve"))
    assert texts(policy.flush()) == "We signed twelve"
    assert policy.provisional == []
    assert policy.flush() == []


def test_commit_before_commits_only_words_that_end_in_time() -> None:
    policy = StreamingPolicy()
    policy.update(words("so the spares arrived late"))
    assert texts(policy.commit_before(1.0)) == "so the"
    assert texts(policy.provisional) == "spares arrived late"
    assert policy.last_committed_end == pytest.approx(0.8)


def test_simulated_stream_commits_every_word_once_in_order() -> None:
    """Replay a stream: each pass hears the buffer so far, with jittered times and the word
    being spoken at the cut garbled, as Whisper does; trim as the live session does."""
    sentences = [
        "We intended to sign fifty members by March.",
        "We signed twelve.",
        "The phone bank ran three evenings and most calls went to voicemail.",
        "Nobody owned the call list.",
    ]
    truth: list[WordTuple] = []
    for sentence in sentences:  # speakers pause about half a second between sentences
        truth += words(sentence, start=truth[-1][1] + 0.5 if truth else 0.0, step=0.35)
    rng = random.Random(7)
    policy = StreamingPolicy()
    buffer_start = 0.0
    committed: list[WordTuple] = []
    now = 0.0
    while now < truth[-1][1] + 2:
        now += 1.0
        heard = []
        for start, end, text in truth:
            if start < buffer_start or start >= now:
                continue
            jitter = rng.uniform(-0.04, 0.04)
            garbled = end > now  # cut mid-word: Whisper guesses
            heard.append((start + jitter, end + jitter, "uh" if garbled else text))
        new, _ = policy.update(heard)
        committed.extend(new)
        cut = policy.trim_point()
        if cut is not None and cut > buffer_start:
            buffer_start = cut
            policy.forget_before(cut)
    committed.extend(policy.flush())
    assert texts(committed) == texts(truth)


def test_new_speech_that_repeats_the_committed_tail_is_kept() -> None:
    # whisper_streaming would drop "kept calling" here as a re-hearing; it starts after the
    # committed end, so it is new speech.
    policy = StreamingPolicy()
    policy.update(words("we kept calling"))
    policy.update(words("we kept calling"))
    assert policy.last_committed_end == pytest.approx(1.2)
    again = words("kept calling and", start=1.3)
    policy.update(again)
    committed, _ = policy.update(again)
    assert texts(committed) == "kept calling and"


def test_words_at_the_edge_of_the_heard_audio_wait_for_a_later_pass() -> None:
    policy = StreamingPolicy(edge_s=0.5)
    policy.update(words("We intended to sign"), heard_until=1.7)
    # Both passes heard "sign" (1.2-1.6 s) cut off near their end: agreeing on it proves little.
    committed, provisional = policy.update(words("We intended to sign"), heard_until=1.8)
    assert texts(committed) == "We intended to"  # "to" ends at 1.2 s, 0.6 s before the edge
    assert texts(provisional) == "sign"
    committed, _ = policy.update(words("We intended to sign fifty"), heard_until=2.6)
    assert texts(committed) == "sign"


@pytest.mark.parametrize(("first", "second"), [("seven", "7"), ("15th", "fifteenth"), ("twenty-five", "25,")])
def test_a_number_spelled_two_ways_still_counts_as_agreement(first: str, second: str) -> None:
    policy = StreamingPolicy()
    policy.update(words(f"We signed {first} members"))
    committed, provisional = policy.update(words(f"We signed {second} members today"))
    assert texts(committed) == f"We signed {second} members"  # the newer spelling is kept
    assert texts(provisional) == "today"


def test_different_numbers_do_not_agree() -> None:
    policy = StreamingPolicy()
    policy.update(words("We signed seven members"))
    committed, _ = policy.update(words("We signed 17 members"))
    assert texts(committed) == "We signed"


def test_words_said_before_a_pause_are_committed_without_a_second_hypothesis() -> None:
    policy = StreamingPolicy(edge_s=0.5)
    policy.update(words("We signed twelve. Then"), heard_until=1.7)  # "Then" 1.2-1.6 s
    committed = policy.commit_spoken_before(1.2)
    assert texts(committed) == "We signed twelve."
    assert texts(policy.provisional) == "Then"  # starts at the pause: not said before it
    # The next pass re-hears the committed words: they do not come out again.
    committed, provisional = policy.update(words("We signed twelve. Then we", start=0.0), heard_until=2.6)
    assert texts(committed) == "Then"
    assert texts(provisional) == "we"


def test_passes_that_alternate_on_a_word_commit_when_one_agrees_with_the_pass_before_last() -> None:
    policy = StreamingPolicy(earlier=2)
    policy.update(words("We ran a simultaneous"))
    committed, _ = policy.update(words("We ran us simultaneous test"))
    assert texts(committed) == "We ran"
    committed, provisional = policy.update(words("We ran a simultaneous test"))
    assert texts(committed) == "a simultaneous"  # as the first pass said, which did not hear "test"
    assert texts(provisional) == "test"
    committed, provisional = policy.update(words("We ran a simultaneous test. Then"))
    assert texts(committed) == "test."
    assert texts(provisional) == "Then"


def test_a_pass_out_of_step_with_the_committed_words_agrees_with_nothing() -> None:
    policy = StreamingPolicy(earlier=2)
    policy.update(words("We ran a simultaneous"))
    policy.update(words("We ran uh a simultaneous test"))  # commits "We ran"
    committed, _ = policy.update(words("We ran a simultaneous"))
    assert texts(committed) == "a simultaneous"  # as the first pass said; ends at 1.6 s
    # Cut after two words, the second pass's tail would read "simultaneous test": a pass that
    # re-hears "simultaneous" late (1.6-2.0 s) would agree with it and commit the word twice.
    late = [*words("We ran a"), (1.6, 2.0, "simultaneous"), (2.0, 2.4, "test")]
    committed, _ = policy.update(late)
    assert committed == []


def test_only_the_previous_pass_counts_by_default() -> None:
    policy = StreamingPolicy()
    policy.update(words("We ran a simultaneous"))
    policy.update(words("We ran us simultaneous test"))
    committed, _ = policy.update(words("We ran a simultaneous test"))
    assert committed == []
