"""Documents of an application: which kinds exist and when a file is an acceptable PDF.

An application carries its proposal (the text a jury actually reads), one letter of intent per
committed follower (naming the follower's REFNIS) and a budget annex. Only PDF is accepted, and
the check is by content, never by file name or declared type: the file starts with the PDF magic
bytes, pypdf parses it and counts its pages, and it is not encrypted (a juror must be able to
open it without a password, and the archive must stay readable). At most :data:`MAX_BYTES`.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from evaluation.scoring import InvalidField

#: Document kinds; ``letter_of_intent`` names the follower's REFNIS.
DOCUMENT_KINDS: tuple[str, ...] = ("proposal", "letter_of_intent", "budget")

#: Largest accepted file: 20 MB (20 × 10^6 bytes).
MAX_BYTES = 20_000_000

#: The first bytes of every PDF file.
PDF_MAGIC = b"%PDF-"


class InvalidDocument(InvalidField):
    """A file or form field that is refused; ``field`` names it (``file``, ``kind``, ``refnis``)."""


@dataclass(frozen=True)
class CheckedPdf:
    """A PDF that passed the checks: its SHA-256 (hex), size in bytes and number of pages."""

    sha256: str
    size: int
    pages: int


def check_kind(kind: object, refnis: object, followers: set[str]) -> tuple[str, str | None]:
    """Validate the kind and, for a letter of intent, the follower's REFNIS (one of ``followers``)."""
    if kind not in DOCUMENT_KINDS:
        raise InvalidDocument(
            "kind",
            f"kind must be one of {', '.join(DOCUMENT_KINDS)}",
            f"soort moet een van {', '.join(DOCUMENT_KINDS)} zijn",
        )
    if kind != "letter_of_intent":
        if refnis not in (None, ""):
            raise InvalidDocument(
                "refnis",
                "only a letter of intent names a follower",
                "enkel een intentieverklaring noemt een volgstad",
            )
        return str(kind), None
    if not isinstance(refnis, str) or refnis not in followers:
        listed = ", ".join(sorted(followers)) or "none"
        listed_nl = ", ".join(sorted(followers)) or "geen"
        raise InvalidDocument(
            "refnis",
            f"a letter of intent names one of the application's followers (REFNIS: {listed})",
            f"een intentieverklaring noemt een van de volgsteden van de aanvraag (NIS: {listed_nl})",
        )
    return str(kind), refnis


def check_pdf(data: bytes) -> CheckedPdf:
    """Accept ``data`` only if it is a readable, unencrypted PDF of at most :data:`MAX_BYTES`."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if len(data) == 0:
        raise InvalidDocument("file", "the file is empty", "het bestand is leeg")
    if len(data) > MAX_BYTES:
        raise InvalidDocument(
            "file",
            f"the file is {len(data) / 1e6:.1f} MB; at most {MAX_BYTES // 1_000_000} MB",
            f"het bestand is {len(data) / 1e6:.1f} MB; hoogstens {MAX_BYTES // 1_000_000} MB",
        )
    if not data.startswith(PDF_MAGIC):
        raise InvalidDocument("file", "the file is not a PDF", "het bestand is geen PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InvalidDocument(
                "file",
                "the PDF is encrypted or password-protected; upload it without protection",
                "de PDF is versleuteld of met een wachtwoord beveiligd; laad hem op zonder beveiliging",
            )
        pages = len(reader.pages)
    except InvalidDocument:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
        AssertionError,
    ) as err:
        raise InvalidDocument(
            "file",
            f"the PDF cannot be read ({type(err).__name__})",
            f"de PDF kan niet gelezen worden ({type(err).__name__})",
        ) from None
    if pages < 1:
        raise InvalidDocument("file", "the PDF has no pages", "de PDF heeft geen pagina's")
    return CheckedPdf(hashlib.sha256(data).hexdigest(), len(data), pages)


# --------------------------------------------------------------------------------------------
# Reading what a document says (the secretariat still confirms)
#
# A PDF's text layer is read with pypdf; a scan has none, and then nothing is claimed. What is
# read is only ever shown next to the secretariat's confirmation (which remains what makes a
# follower or backed co-financing count): a letter of intent that names its follower and the
# lead, a budget annex that states the declared amounts. A typed name proves little on its own,
# which is why it advises the secretariat instead of counting by itself.

#: Pages read at most (a letter is one or two pages, a budget annex a few).
MAX_READ_PAGES = 30
#: Characters of text kept at most.
MAX_READ_CHARS = 200_000


def pdf_text(data: bytes) -> str | None:
    """The text layer of a PDF (first :data:`MAX_READ_PAGES` pages), or None when it has none
    (a scan) or cannot be read."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        parts = []
        for page in reader.pages[:MAX_READ_PAGES]:
            parts.append(page.extract_text() or "")
            if sum(map(len, parts)) > MAX_READ_CHARS:
                break
    except Exception:  # noqa: BLE001 - a damaged text layer is "not readable", never a crash
        return None
    text = " ".join(parts)[:MAX_READ_CHARS]
    return text if text.strip() else None


def fold_text(text: str) -> str:
    """Lower case without accents, runs of white space as one space (for matching names)."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return " ".join(plain.replace("\u00ad", "").split())


def names_any(folded: str, names: tuple[str, ...]) -> bool:
    """Whether ``folded`` text (:func:`fold_text`) contains one of ``names`` as a whole word."""
    import re

    for name in names:
        key = fold_text(name)
        if key and re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", folded):
            return True
    return False


@dataclass(frozen=True)
class LetterReading:
    """What the text of a letter of intent says: ``readable`` (a text layer), and whether it
    names the follower and the lead applicant (Dutch or French name). None when unreadable."""

    readable: bool
    names_follower: bool | None
    names_lead: bool | None

    def to_dict(self) -> dict[str, bool | None]:
        return {"readable": self.readable, "names_follower": self.names_follower,
                "names_lead": self.names_lead}


def read_letter(text: str | None, follower_names: tuple[str, ...],
                lead_names: tuple[str, ...]) -> LetterReading:
    """Read a letter of intent's text (:func:`pdf_text`) for its follower and lead."""
    if text is None:
        return LetterReading(False, None, None)
    folded = fold_text(text)
    return LetterReading(True, names_any(folded, follower_names), names_any(folded, lead_names))


def amount_pattern(cents: int) -> str:
    """A regular expression for a euro amount as people write it: 150000, 150.000, 150 000,
    150,000, with ``,00``/``.00`` optional (required when the cents are not zero)."""
    euros, rest = divmod(int(cents), 100)
    digits = str(euros)
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    body = r"[.,\s\u00a0\u202f']?".join(groups)
    decimals = rf"[.,]{rest:02d}" if rest else r"(?:[.,]00|[.,]-)?"
    return rf"(?<![\d.,]){body}{decimals}(?![\d]|[.,]\d)"


@dataclass(frozen=True)
class BudgetReading:
    """What the text of a budget annex states: ``readable`` and, per declared amount (e.g.
    ``total_budget``, ``cofinancing``), whether the annex writes it. Empty when unreadable."""

    readable: bool
    states: dict[str, bool]

    def to_dict(self) -> dict[str, object]:
        return {"readable": self.readable, "states": dict(self.states)}


def read_budget(text: str | None, amounts_cents: dict[str, int]) -> BudgetReading:
    """Read a budget annex's text (:func:`pdf_text`) for the declared amounts (cents)."""
    import re

    if text is None:
        return BudgetReading(False, {})
    flat = " ".join(text.split())
    return BudgetReading(True, {name: bool(re.search(amount_pattern(c), flat))
                                for name, c in amounts_cents.items() if c and c > 0})
