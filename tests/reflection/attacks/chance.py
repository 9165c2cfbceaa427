"""What "no better than chance" means, as a number.

An attack produces a guess: card -> person, and group -> voters (with how many dots each). Its
score is how many links are right: cards whose guessed writer is the writer, and dots whose
guessed voter voted on that group (per group, the overlap of the guessed and the true voters,
counted with multiplicity).

Chance is what the same guess scores when the data carries no information: the true writers
are rearranged at random over the session's cards (each person keeps their number of cards,
which a log reader can count anyway), and the true voters over the dots (each group keeps its
tally and each person their number of votes, both stored). The rule: an attack links no better
than chance when its score is at most the mean of that distribution plus four standard
deviations (exact for cards; for votes from 1,000 rearrangements with a fixed seed). Guessing
everything for the most prolific writer is thus "chance" (it scores the same under every
rearrangement); a guess that needs the data to be right is not.

Links that need no statistics (an id in a URL, a transaction id shared by two rows) are held
to a stricter rule: exactly zero right.
"""

import random
import statistics
from collections import Counter

ROUNDS = 1000
SIGMAS = 4


def card_score(guess: dict, truth: dict) -> int:
    return sum(1 for card, person in truth.items() if guess.get(card) == person)


def vote_score(guess: dict, truth: dict) -> int:
    return sum(min(count, guess.get(group, Counter()).get(person, 0))
               for group, voters in truth.items() for person, count in voters.items())


def card_chance(guess: dict, truth: dict) -> tuple[float, float]:
    """Exact mean and standard deviation for cards: with n_a cards by person a among N, and m_a
    cards guessed to be a's, the score is a sum of indicators drawn without replacement."""
    cards = len(truth)
    written = Counter(truth.values())
    guessed = Counter(person for card, person in guess.items() if card in truth)
    mean = sum(m * written[a] for a, m in guessed.items()) / cards
    if cards < 2:
        return mean, 0.0
    pairs = cards * (cards - 1)
    same = sum(m * (m - 1) * written[a] * (written[a] - 1) for a, m in guessed.items()) / pairs
    spread = sum(m * written[a] for a, m in guessed.items())
    other = (spread * spread - sum((m * written[a]) ** 2 for a, m in guessed.items())) / pairs
    variance = mean + same + other - mean * mean
    return mean, max(variance, 0.0) ** 0.5


def vote_chance(guess: dict, truth: dict) -> tuple[float, float]:
    rng = random.Random(2)
    tallies = [(group, sum(voters.values())) for group, voters in truth.items()]
    dots = [person for voters in truth.values() for person, count in voters.items() for _ in range(count)]
    scores = []
    for _ in range(ROUNDS):
        rng.shuffle(dots)
        shuffled, start = {}, 0
        for group, tally in tallies:
            shuffled[group] = Counter(dots[start:start + tally])
            start += tally
        scores.append(vote_score(guess, shuffled))
    return statistics.fmean(scores), statistics.pstdev(scores)
