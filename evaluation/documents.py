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
