"""Documents: PDF only, checked by content; kinds and followers' letters of intent."""

import io

import pytest
from pypdf import PdfWriter

from evaluation.documents import MAX_BYTES, InvalidDocument, check_kind, check_pdf


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_passes_with_its_hash_size_and_pages():
    data = pdf_bytes(pages=2)
    checked = check_pdf(data)
    assert checked.pages == 2 and checked.size == len(data)
    import hashlib

    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 a zip file named proposal.pdf", "not a PDF"),
        (b"%PDF-1.7\nthis is not really a pdf", "cannot be read"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused(data, words):
    with pytest.raises(InvalidDocument, match=words) as err:
        check_pdf(data)
    assert err.value.field == "file"


def test_an_encrypted_pdf_is_refused():
    with pytest.raises(InvalidDocument, match="encrypted"):
        check_pdf(pdf_bytes(password="geheim"))


def test_a_file_above_20_mb_is_refused_before_parsing():
    data = b"%PDF-1.7\n" + b"0" * (MAX_BYTES - 8)
    with pytest.raises(InvalidDocument, match="at most 20 MB") as err:
        check_pdf(data)
    assert "hoogstens 20 MB" in err.value.message_nl


def test_a_letter_of_intent_names_a_committed_follower():
    assert check_kind("letter_of_intent", "44021", {"44021"}) == ("letter_of_intent", "44021")
    assert check_kind("proposal", None, set()) == ("proposal", None)
    with pytest.raises(InvalidDocument) as err:
        check_kind("letter_of_intent", "11002", {"44021"})
    assert err.value.field == "refnis" and "44021" in err.value.message
    with pytest.raises(InvalidDocument) as err:
        check_kind("cv", None, set())
    assert err.value.field == "kind"
    with pytest.raises(InvalidDocument):
        check_kind("budget", "44021", {"44021"})
