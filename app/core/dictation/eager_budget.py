"""When an eager run starts: at the tail, or later while too much eager work was wasted.

An eager run (``app.core.dictation.endpointing``) starts as soon as the tail after the last
speech has arrived. When the speaker goes on after a hesitation longer than the tail (but
shorter than the pause), that run is dropped and its model work is wasted. ``EagerBudget``
keeps the share of a recording's model work spent on dropped eager runs near ``budget``:

* the share is estimated from audio lengths (a run costs about its audio plus
  ``run_overhead_s``: the prompt, prefill set-up and first steps do not shrink with the audio);
* while the share, counting the run about to start as kept, is above ``budget``, the eager run
  waits until the silence is ``margin_s`` longer than the longest hesitation seen so far in the
  recording (never past the pause: then there is no eager run, the pause commits as before);
* otherwise it starts at the tail, so a speaker who does not hesitate keeps the lowest latency.

The first hesitation of a recording is always wasted (nothing is known yet); after it the
share falls back under the budget as utterances are committed. Only the timing of the eager
run changes, never its audio: the committed text stays exactly that of a run at the pause.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BudgetConfig:
    budget: float = 0.2  # share of model work allowed on dropped eager runs (1.0: never wait)
    margin_s: float = 0.1  # wait this much longer than the longest hesitation seen
    run_overhead_s: float = 0.5  # a run costs about its audio plus this much more audio


class EagerBudget:
    """Pure bookkeeping for one recording (the endpointer reports to it frame by frame)."""

    def __init__(self, config: BudgetConfig | None = None) -> None:
        self.cfg = config or BudgetConfig()
        self.wasted = 0.0  # cost of dropped eager runs (audio seconds + overhead)
        self.kept = 0.0  # cost of committed runs
        self.longest_gap = 0.0  # longest silence after which speech resumed (seconds)

    def dropped(self, audio_s: float, gap_s: float | None) -> None:
        """An eager run of ``audio_s`` was dropped; ``gap_s``: the silence speech resumed
        after (``None`` when it was dropped for another reason, e.g. a forced cut)."""
        self.wasted += audio_s + self.cfg.run_overhead_s
        if gap_s is not None:
            self.longest_gap = max(self.longest_gap, gap_s)

    def committed(self, audio_s: float) -> None:
        self.kept += audio_s + self.cfg.run_overhead_s

    @property
    def share(self) -> float:
        """Share of the recording's model work (estimated) spent on dropped eager runs."""
        total = self.wasted + self.kept
        return self.wasted / total if total > 0 else 0.0

    def wait_s(self, audio_s: float, tail_s: float) -> float:
        """Seconds past the tail before the eager run of an utterance of ``audio_s`` starts."""
        if self.wasted <= 0 or self.cfg.budget >= 1.0:
            return 0.0
        total = self.wasted + self.kept + audio_s + self.cfg.run_overhead_s
        if self.wasted / total <= self.cfg.budget:
            return 0.0
        return max(0.0, self.longest_gap + self.cfg.margin_s - tail_s)
