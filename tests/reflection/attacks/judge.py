"""Scoring guesses against the truth, and keeping every score for the summary at the end."""

from dataclasses import dataclass

from tests.reflection.attacks import chance

RESULTS: list = []


@dataclass
class Result:
    attack: str
    scenario: str
    source: str
    variant: str
    kind: str  # cards | votes
    linked: int
    guessed: int
    total: int
    chance: float
    limit: float

    @property
    def ok(self) -> bool:
        return self.linked <= self.limit

    def __str__(self):
        return (f"{self.attack} [{self.variant}] on {self.scenario} via {self.source}: {self.kind} linked "
                f"{self.linked}/{self.total} (guessed {self.guessed}; "
                f"chance {self.chance:.1f}, limit {self.limit:.1f})")


def judge(attack: str, scenario, source_name: str, guesses, *, exact: bool = False) -> list[Result]:
    """Score each guess for cards and for votes. exact=True: the link is deterministic, so the
    limit is 0 right; otherwise chance.py's rule."""
    results = []
    for guess in guesses:
        variant = "; ".join(guess.notes)
        for kind, guessed, truth, score, null in (
            ("cards", guess.cards, scenario.card_author, chance.card_score, chance.card_chance),
            ("votes", guess.votes, scenario.votes, chance.vote_score, chance.vote_chance),
        ):
            if not truth:
                continue
            total = len(truth) if kind == "cards" else sum(sum(v.values()) for v in truth.values())
            count = len(guessed) if kind == "cards" else sum(sum(v.values()) for v in guessed.values())
            linked = score(guessed, truth)
            if exact or not guessed:
                mean, limit = 0.0, 0.0
            else:
                mean, sd = null(guessed, truth)
                limit = mean + chance.SIGMAS * sd
            results.append(Result(attack, scenario.name, source_name, variant, kind, linked, count, total, mean, limit))
    RESULTS.extend(results)
    return results


def failures(results: list[Result]) -> list[str]:
    return [str(result) for result in results if not result.ok]
