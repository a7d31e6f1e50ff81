"""`make eval` can find and import every suite (a broken import would otherwise only show at eval time)."""

import subprocess
import sys

import numpy as np

from evals.suite import discover


def test_every_eval_suite_imports_and_describes_itself():
    suites = discover()
    assert sorted(suites) == ["drafting", "retrieval", "transcription", "workflow"]
    for suite in suites.values():
        assert suite.DESCRIPTION and callable(suite.run)


def test_a_measured_process_reports_its_own_peak_memory_not_its_parents():
    # On Linux ru_maxrss carries a parent's peak into a child across exec; the eval harness
    # builds long WAVs in memory before it measures them, so the child must not inherit that.
    # Not a memory figure: the child is far smaller than what its parent held just before.
    np.ones(1 << 27).sum()  # 1 GiB touched, then freed: only the parent's peak remains
    child = "from evals.transcription.measure import peak_rss_mib; print(peak_rss_mib())"
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True)
    assert float(done.stdout) < 512, done.stdout


def test_a_clock_time_is_one_number_kept_however_whisper_writes_it():
    from evals.transcription.batch import numbers_kept

    reference = "The potassium was 3.1 at 04:10 in bed 4; recheck at 08:00 and again at 14:20."
    heard = "The potassium was 3.1 at 4.10 in bed 4, recheck at 8:00 and again at 1420."
    assert numbers_kept(reference, heard) == (5, 5, [])
    heard = "The potassium was at 4:10 in bed 4, recheck at 800 and again at fourteen twenty."
    assert numbers_kept(reference, heard) == (4, 5, ["3.1"])
    # A time's words are used up by it ("four ten" is not also "bed 4"); a half-heard time is lost.
    heard = "The potassium was 3.1 at four ten in bed, recheck at 8 and again at 2:20."
    assert numbers_kept(reference, heard) == (2, 5, ["08:00", "14:20", "4"])


def test_a_word_committed_twice_is_counted_unless_the_script_says_it_twice():
    from evals.transcription.live import doubled_words

    reference = "We were hiring. That that was the plan, and the primary went down."
    assert doubled_words(reference, "we were hiring hiring. That that was the plan") == ["hiring hiring"]
    assert doubled_words(reference, "That, that was the Primary primary.") == ["primary primary"]
    assert doubled_words(reference, reference) == []
    assert doubled_words("at 04:10, then 10:00", "at 0 0 4 10, then 10 00") == []  # number tokens


def test_speaker_attribution_maps_speakers_one_to_one_and_counts_words_by_their_turn():
    from evals.transcription.diarization import attribution, best_mapping

    spans = [(0.0, 5.0, "Ann"), (5.0, 10.0, "Ben"), (10.0, 15.0, "Ann")]
    segments = [
        {"speaker": 2, "words": [[0.0, 1.0], [1.0, 2.0]]},  # Ann, labelled 2
        {"speaker": 1, "words": [[5.0, 6.0], [6.0, 7.0], [9.5, 10.5]]},  # Ben, Ben, and Ann's first word
        {"speaker": 2, "words": [[11.0, 12.0]]},  # Ann
    ]
    score = attribution(segments, spans)
    assert score["words"] == 5 / 6 and score["time"] == 5 / 6
    assert score["spanning"] == 1 / 6  # one word sits in the other participant's segment
    # Two speakers cannot both be Ann: the second-best gets nobody rather than a double credit.
    assert best_mapping([1, 2], ["Ann"], lambda s, p: {1: 3.0, 2: 2.0}[s]) == {1: "Ann"}
