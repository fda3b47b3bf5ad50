"""Turning texts into one shared sparse feature matrix that every triage model reads.

All models use the same hashed word and character n-gram space, so a batch is vectorised
once and each model is a single sparse matrix product. Hashing ships no vocabulary; the only
fitted state is an inverse document frequency vector.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from resonanz.triage.lexicons import EXPLANATION_STOPWORDS
from resonanz.triage.polarity_lexicon import FEATURE_COUNT as LEXICON_FEATURE_COUNT
from resonanz.triage.polarity_lexicon import NEGATIONS, polarity_lexicon
from resonanz.triage.profanity_prior import FEATURE_COUNT as PRIOR_FEATURE_COUNT
from resonanz.triage.profanity_prior import ProfanityPrior

WORD_FEATURES = 2**19
CHAR_FEATURES = 2**19
HASHED_FEATURES = WORD_FEATURES + CHAR_FEATURES
# A few dense columns follow the hashed blocks: polarity lexicon (polarity_lexicon.py), then
# the offensiveness prior (profanity_prior.py).
DENSE_FEATURES = LEXICON_FEATURE_COUNT + PRIOR_FEATURE_COUNT
N_FEATURES = HASHED_FEATURES + DENSE_FEATURES
# Weight of the lexicon block next to the l2-normed n-gram blocks (chosen on validation).
LEXICON_SCALE = 1.0

URL_PATTERN = re.compile(
    r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|de|ly|io|co|info|biz|xyz|ru|tk)(?:/\S*)?\b"
)
MENTION_PATTERN = re.compile(r"@\w+")
NUMBER_PATTERN = re.compile(r"\d+(?:[.,]\d+)*")
REPEATED_CHAR_PATTERN = re.compile(r"(.)\1{3,}")
# Words of two or more letters, for telling near-copies apart (`near_copy_keys`).
CONTENT_WORD = re.compile(r"[^\W\d_]{2,}")
NEAR_COPY_SIMILARITY = 0.6
# Words, runs of ! or ?, and single emoji/symbols: punctuation carries sentiment in tweets.
WORD_PATTERN = r"(?u)\b\w+\b|[!?]+|[^\w\s.,;:'\"()\[\]-]"
WORD_TOKEN = re.compile(WORD_PATTERN)
CHAR_NGRAMS = (2, 5)
# Negation scope (Das & Chen 2001, Pang et al. 2002): the next NEGATION_SCOPE words after a
# negation, within its clause, become other words for the word n-grams ("nicht neg_gut"), so
# "nicht gut" no longer lends "gut" its weight. The negations are the polarity lexicon's, and
# any "n't". Chosen by cross-validation and validation on the sentiment and offensive sets
# (see the model card); character n-grams read the text as it is.
NEGATION_SCOPE = 3
NEGATED_PREFIX = "neg_"
NEGATED_SCOPE = re.compile(
    r"(?u)(\b(?:" + "|".join(sorted(NEGATIONS)) + r"|\w+n['’]t)\b)"
    rf"((?:[^\w.,;:!?]+\w+(?:['’]\w+)?){{1,{NEGATION_SCOPE}}})"
)
SCOPE_WORD = re.compile(r"(?u)\w+(?:['’]\w+)?")


def is_negation(token: str) -> bool:
    """Whether a word (apostrophes allowed, as in "don't") negates what follows."""
    return token.replace("'", "").replace("’", "") in NEGATIONS or token.endswith(("n't", "n’t"))


def mark_negation(normalized: str) -> str:
    """`normalized` with the words in each negation's scope prefixed by NEGATED_PREFIX.

    One regular expression finds a negation and up to NEGATION_SCOPE words after it that no
    punctuation separates from it; a negation inside that scope is marked like any word.
    """
    return NEGATED_SCOPE.sub(_mark_scope, normalized)


def _mark_scope(match: re.Match[str]) -> str:
    return match.group(1) + SCOPE_WORD.sub(NEGATED_PREFIX + r"\g<0>", match.group(2))


def text_key(text: str) -> str:
    """Identity of a text for de-duplication across datasets."""
    return " ".join(normalize_text(text).split())


def content_words(key: str) -> frozenset[str]:
    """The content words of a text key (`text_key`): words of two or more letters that are
    not function words."""
    return frozenset(set(CONTENT_WORD.findall(key)) - EXPLANATION_STOPWORDS)


def near_copy_keys(texts: Sequence[str], similarity: float = NEAR_COPY_SIMILARITY) -> list[str]:
    """One key per text, shared by texts that are copies or near-copies of each other.

    Near-copies share most of their words (Jaccard similarity of their sets of content
    words at least `similarity`): the same template with another city, product or name
    ("Der Wechsel zum Ökostrom-Tarif ging ohne Papierkram" / "… zum Mobilfunkvertrag …").
    Groups are closed under that relation (union-find). Exact copies are compared once,
    and candidates come from an index of the content words, so texts that share no word
    are never compared.
    """
    keys = [text_key(text) for text in texts]
    distinct = list(dict.fromkeys(keys))
    words = [content_words(key) for key in distinct]
    parent = list(range(len(distinct)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    postings: dict[str, list[int]] = {}
    for index, own in enumerate(words):
        shared: dict[int, int] = {}
        for word in own:
            for other in postings.get(word, ()):
                shared[other] = shared.get(other, 0) + 1
            postings.setdefault(word, []).append(index)
        for other, overlap in shared.items():
            if overlap / (len(own) + len(words[other]) - overlap) >= similarity:
                parent[root(index)] = root(other)
    # Texts without content words ("👍", "🙏🙏") are grouped by their exact text only.
    group_of = {
        key: f"group {root(index)}" if words[index] else key for index, key in enumerate(distinct)
    }
    return [group_of[key] for key in keys]


def normalize_text(text: str) -> str:
    """Lower-case and replace URLs, mentions and numbers by placeholders.

    Placeholders keep the fact ("there is a link") without the detail that would not
    generalise (which link); datasets anonymise mentions differently (@user, @USER).
    """
    text = URL_PATTERN.sub(" httpurl ", text)
    text = MENTION_PATTERN.sub(" @user ", text)
    text = NUMBER_PATTERN.sub(" 0 ", text)
    text = REPEATED_CHAR_PATTERN.sub(r"\1\1\1", text)
    return text.lower()


def hashed_column(term: str, block_size: int) -> int:
    """The column of `term` in a hashed block, as scikit-learn's HashingVectorizer chooses it
    (signed 32-bit murmurhash3 of the UTF-8 bytes, seed 0, absolute value modulo the size)."""
    return abs(murmurhash3_32(term, seed=0)) % block_size


class NgramHasher:
    """Hashed counts of word 1–2-grams and char_wb 2–5-grams, column for column what
    scikit-learn's HashingVectorizer gives (`token_pattern=WORD_PATTERN`, and
    `analyzer="char_wb"`; no lower-casing, no alternating sign), three to four times faster
    on tweets once its caches are warm.

    The vectorizer builds every n-gram string of every text and hashes it; here each word's
    character n-gram columns, and each token's column, are computed once and kept, since the
    words of an inbox repeat. Each cache is bounded by CACHE_WORDS entries (emptied when
    full) and skips words longer than CACHE_WORD_LENGTH, so both together stay near 20 MB.
    """

    CACHE_WORDS = 50_000
    CACHE_WORD_LENGTH = 40

    def __init__(self) -> None:
        self._char_columns: dict[str, bytes] = {}
        self._token_columns: dict[str, int] = {}

    def token_column(self, token: str) -> int:
        """Column of a word unigram in the word block."""
        column = self._token_columns.get(token)
        if column is None:
            column = hashed_column(token, WORD_FEATURES)
            if len(token) <= self.CACHE_WORD_LENGTH:
                if len(self._token_columns) >= self.CACHE_WORDS:
                    self._token_columns.clear()
                self._token_columns[token] = column
        return column

    def char_columns(self, word: str) -> bytes:
        """Columns (int32 bytes, offset past the word block) of one word's char n-grams:
        every substring of 2 to 5 characters of the word padded with a space each side."""
        columns = self._char_columns.get(word)
        if columns is None:
            padded = f" {word} "
            length = len(padded)
            low, high = CHAR_NGRAMS
            columns = array(
                "i",
                [
                    WORD_FEATURES + hashed_column(padded[start : start + n], CHAR_FEATURES)
                    for n in range(low, high + 1)
                    for start in range(length - n + 1)
                ],
            ).tobytes()
            if len(word) <= self.CACHE_WORD_LENGTH:
                if len(self._char_columns) >= self.CACHE_WORDS:
                    self._char_columns.clear()
                self._char_columns[word] = columns
        return columns

    def counts(
        self, normalized: Sequence[str], tokens: list[list[str]] | None = None
    ) -> sp.csr_matrix:
        """Raw counts (texts × HASHED_FEATURES): word n-grams of the negation-marked text,
        then char n-grams of the text as it is. With `tokens`, each text's word tokens are
        appended to it (for `TextFeaturizer.word_columns`)."""
        token_column = self.token_column
        char_columns = self.char_columns
        rows: list[bytes] = []
        for text in normalized:
            terms = WORD_TOKEN.findall(mark_negation(text))
            if tokens is not None:
                tokens.append(terms)
            words = [token_column(term) for term in terms]
            words += [
                hashed_column(f"{first} {second}", WORD_FEATURES)
                for first, second in zip(terms, terms[1:], strict=False)
            ]
            rows.append(array("i", words).tobytes() + b"".join(map(char_columns, text.split())))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(row) // 4 for row in rows], out=indptr[1:])
        indices = np.frombuffer(bytearray(b"".join(rows)), dtype=np.int32)
        matrix = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr),
            shape=(len(rows), HASHED_FEATURES),
        )
        matrix.sum_duplicates()
        return matrix


class TextFeaturizer:
    """Hashed word 1–2-grams (negation scope marked) and char_wb 2–5-grams (sublinear tf-idf,
    each block l2-normed), then the polarity-lexicon and offensiveness-prior columns.

    Without a `prior` its columns are zero (tests on toy data); the shipped models are
    trained and loaded with it.
    """

    def __init__(self, idf: np.ndarray | None = None, prior: ProfanityPrior | None = None) -> None:
        self.prior = prior
        self.hasher = NgramHasher()
        self.idf = idf if idf is not None else np.ones(N_FEATURES, dtype=np.float32)

    def term_counts(
        self, normalized: Sequence[str], tokens: list[list[str]] | None = None
    ) -> sp.csr_matrix:
        """Raw hashed counts of already normalised texts, word block then char block."""
        return self.hasher.counts(normalized, tokens)

    def fit_idf(self, texts: Sequence[str]) -> None:
        """Learn smoothed idf over the union of all training texts."""
        counts = self.term_counts([normalize_text(t) for t in texts])
        document_frequency = np.bincount(counts.indices, minlength=HASHED_FEATURES)
        n_documents = counts.shape[0]
        idf = np.log((1 + n_documents) / (1 + document_frequency)) + 1.0
        self.idf = np.concatenate([idf, np.ones(DENSE_FEATURES)]).astype(np.float32)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Feature matrix for raw texts (normalised here)."""
        return self.transform_normalized([normalize_text(t) for t in texts])

    def transform_normalized(
        self,
        normalized: Sequence[str],
        evidence: list[dict[int, list[str]]] | None = None,
        tokens: list[list[str]] | None = None,
    ) -> sp.csr_matrix:
        """Feature matrix for texts already passed through `normalize_text`.

        With `evidence`, the words behind each text's lexicon columns are appended to it
        (`PolarityLexicon.features`); with `tokens`, its word tokens (`word_columns`).
        """
        matrix = self.term_counts(normalized, tokens)
        np.log1p(matrix.data, out=matrix.data)
        matrix.data *= self.idf[matrix.indices]
        # Normalise the word and char blocks separately so neither dominates.
        is_word = matrix.indices < WORD_FEATURES
        squared = matrix.data**2
        row_of_entry = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        word_norm = np.sqrt(np.bincount(row_of_entry, squared * is_word, matrix.shape[0]))
        char_norm = np.sqrt(np.bincount(row_of_entry, squared * ~is_word, matrix.shape[0]))
        norms = np.where(is_word, word_norm[row_of_entry], char_norm[row_of_entry])
        matrix.data /= np.maximum(norms, 1e-12).astype(np.float32)
        lexicon = polarity_lexicon().features(normalized, evidence) * LEXICON_SCALE
        if self.prior is not None:
            prior = self.prior.features(normalized)
        else:
            prior = np.zeros((len(normalized), PRIOR_FEATURE_COUNT), dtype=np.float32)
        dense = np.hstack([lexicon, prior])
        return sp.hstack([matrix, sp.csr_matrix(dense)], format="csr", dtype=np.float32)

    def word_columns(self, normalized_text: str, tokens: list[str] | None = None) -> dict[int, str]:
        """Map the word-unigram columns of one normalised text back to their words.

        Used to explain a prediction in words, with the columns of `NgramHasher`. A word in a
        negation's scope reads with its negation ("nicht gut", "don't like"). `tokens` are
        the text's tokens as `transform_normalized` gave them, to save tokenising again.
        """
        if tokens is None:
            tokens = WORD_TOKEN.findall(mark_negation(normalized_text))
        columns: dict[int, str] = {}
        negation = ""
        previous = ""
        for term in tokens:
            if term == "t" and previous:
                negation = f"{previous}'t"  # "don't" is tokenised as "don", "t"
            elif is_negation(term):
                negation = term
            previous = term
            word = term.removeprefix(NEGATED_PREFIX)
            if len(word) < 2 or word in EXPLANATION_STOPWORDS or word in ("httpurl", "user"):
                continue
            column = self.hasher.token_column(term)
            columns.setdefault(column, f"{negation} {word}" if word != term else word)
        return columns
