"""Related projects: TF-IDF similarity between project texts, and between an idea and all projects.

Texts are ``title + summary``. Before scikit-learn sees them they are normalised the Dutch way:
accents stripped (``ideeën`` -> ``ideeen``), lower case, and the short Dutch (plus a few English:
some titles are English) stop-word list below removed. The vectoriser then uses **character
n-grams of 3 to 5 within word boundaries** (``char_wb``), not words: Dutch glues words into
compounds (``luchtkwaliteitssensoren``, ``parkeerinformatie``) that word tokens would never match
with ``luchtkwaliteit`` or ``parkeren``; character n-grams do, and they also absorb plurals and
diminutives (``sensor``/``sensoren``, ``paal``/``paaltje``) without a stemmer. Sublinear tf keeps a
word that repeats from dominating. Similarity is the cosine of the L2-normalised vectors, in [0, 1].

:data:`DOUBLE_FUNDING_THRESHOLD` is the similarity from which the evaluation flags a possible
double funding; how it was chosen is documented next to it and in ``docs/matching.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.graph import InvalidParameter, UnknownProject, validate_limit
from matching.registry import Municipality, Project

#: Longest accepted free text, in characters (a long project summary is a few thousand).
MAX_TEXT_LENGTH = 20_000

#: Similarity from which two project texts count as a possible double funding (a flag for a
#: human, never an automatic rejection). Our calibration on the 69 registry projects of the
#: seed files (the 43 of the seed texts and 26 of the cited evidence), municipality names
#: ignored (docs/matching.md): the most similar pair of distinct real projects with a known
#: title scores 0.38 (LODE Lokale Open Data Economie and VLOED, both local-economy data), a
#: different idea on a funded theme 0.27, while four real projects described again in other
#: words score 0.52 to 0.82. 0.5 lies between the two groups.
DOUBLE_FUNDING_THRESHOLD = 0.5

#: An n-gram in more than this share of the projects (and in more than
#: :data:`BOILERPLATE_MIN_PROJECTS` of them) is boilerplate and ignored (scikit-learn ``max_df``):
#: the seed summaries repeat one provenance sentence per call ("Project van X in de eerste City
#: of Things-oproep ..."), which otherwise makes every pair of projects of a call look alike.
#: 10 %: the smallest call with such a sentence has 10 projects (City of Things 2021); at 20 %
#: of 69 projects its sentence was no longer ignored and two of its projects scored 0.54.
BOILERPLATE_SHARE = 0.1
BOILERPLATE_MIN_PROJECTS = 5

#: Short Dutch stop-word list (articles, pronouns, prepositions, conjunctions, auxiliaries) plus
#: the English function words that occur in project titles. Accent-free, lower case.
_STOP_WORDS_TEXT = """
    de het een en of maar dat die dit deze van voor met door naar in op aan bij uit om tot over
    onder tussen tegen zonder na als dan ook nog niet geen wel al zo te er hier daar waar wie wat
    welke hoe is zijn was waren wordt worden werd werden heeft hebben had kan kunnen zal zullen
    moet moeten wil willen zou zouden ik je jij u hij zij ze wij we jullie hun hen ons onze haar
    mijn uw men elk elke alle ieder iedere meer veel binnen via per zich
    the a an of for and or to with in on at by from as is are be this that its into
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"\w+")


class InvalidText(InvalidParameter):
    """A free text that is empty or longer than :data:`MAX_TEXT_LENGTH` (HTTP 400)."""

    def __init__(self, message: str):
        super().__init__("text", message)
        self.max_length = MAX_TEXT_LENGTH


def normalise(text: str) -> str:
    """Accent-free, lower-case words without Dutch/English stop words, joined by spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(w for w in _WORD.findall(plain) if w not in STOP_WORDS)


def _without(normalised: str, ignored: frozenset[str]) -> str:
    if not ignored:
        return normalised
    return " ".join(w for w in normalised.split() if w not in ignored)


def place_name_words(municipalities: Iterable[Municipality]) -> frozenset[str]:
    """Normalised words of the Dutch and French names of ``municipalities``, to ignore."""
    words: set[str] = set()
    for m in municipalities:
        words.update(normalise(m.name_nl).split())
        words.update(normalise(m.name_fr or "").split())
    return frozenset(words)


def project_text(project: Project) -> str:
    """The text of a project that similarity compares: title and summary."""
    return f"{project.title}\n{project.summary}"


def validate_text(text: str) -> str:
    """Return ``text`` or raise :class:`InvalidText` when empty/blank or too long."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidText("text must not be empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidText(f"text is {len(text)} characters, at most {MAX_TEXT_LENGTH} allowed")
    return text


class ProjectIndex:
    """TF-IDF index over project texts; build once per registry version, query many times."""

    def __init__(
        self,
        project_ids: tuple[int, ...],
        vectorizer: TfidfVectorizer | None,
        matrix,
        ignored: frozenset[str] = frozenset(),
    ):
        self.project_ids = project_ids
        self._ignored = ignored
        self._position = {pid: i for i, pid in enumerate(project_ids)}
        self._vectorizer = vectorizer
        self._matrix = matrix  # sparse, one L2-normalised row per project

    @classmethod
    def build(cls, projects: Iterable[Project], ignore_words: Iterable[str] = ()) -> ProjectIndex:
        """Fit the vectoriser on the texts of ``projects``.

        ``ignore_words`` are left out of every text, the projects' and the queries' (pass
        :func:`place_name_words` of the municipalities: a name says who, not what, and the seed
        summaries name the lead, so without this a text matches every project of a town).
        """
        items = list(projects)
        ids = tuple(p.id for p in items)
        ignored = frozenset(w for word in ignore_words for w in normalise(word).split())
        texts = [_without(normalise(project_text(p)), ignored) for p in items]
        if not any(texts):
            return cls(ids, None, None, ignored)
        vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            lowercase=False,
            max_df=max(BOILERPLATE_MIN_PROJECTS, int(BOILERPLATE_SHARE * len(texts))),
        )
        return cls(ids, vectorizer, vectorizer.fit_transform(texts), ignored)

    def _top(self, scores: np.ndarray, limit: int, exclude: int | None) -> list[tuple[int, float]]:
        if exclude is not None:
            scores[exclude] = -1.0
        count = min(limit, scores.size)
        top = np.argpartition(-scores, count - 1)[:count] if count else np.array([], dtype=int)
        ranked = sorted(top, key=lambda j: (-scores[j], self.project_ids[j]))
        return [(self.project_ids[j], float(scores[j])) for j in ranked if scores[j] > 0]

    def similar_to_text(self, text: str, limit: int = 10) -> list[tuple[int, float]]:
        """The projects closest to a free text: ``[(project_id, score), ...]``, best first.

        Only projects with a score above 0 are returned. Raises :class:`InvalidText`.
        """
        validate_text(text)
        validate_limit(limit)
        if self._vectorizer is None:
            return []
        vector = self._vectorizer.transform([_without(normalise(text), self._ignored)])
        scores = (self._matrix @ vector.T).toarray().ravel()
        return self._top(scores, limit, exclude=None)

    def pairwise(self) -> np.ndarray:
        """Cosine similarity of every pair of texts (n x n, order of ``project_ids``, diagonal 1
        for a non-empty text): what idea matchmaking scores all pairs with."""
        n = len(self.project_ids)
        if self._vectorizer is None:
            return np.zeros((n, n))
        return np.asarray((self._matrix @ self._matrix.T).toarray(), dtype=float)

    def similar_to_project(self, project_id: int, limit: int = 10) -> list[tuple[int, float]]:
        """The projects closest to project ``project_id``, excluding itself, best first."""
        validate_limit(limit)
        position = self._position.get(project_id)
        if position is None:
            raise UnknownProject(project_id)
        if self._vectorizer is None:
            return []
        scores = (self._matrix @ self._matrix[position].T).toarray().ravel()
        return self._top(scores, limit, exclude=position)
