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


# --- reading what a document says -----------------------------------------------------------


def text_pdf(*lines: str) -> bytes:
    """A one-page PDF with a text layer (reportlab, as the receipts are made)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n, line in enumerate(lines):
        c.drawString(72, 770 - 16 * n, line)
    c.showPage()
    c.save()
    return out.getvalue()


def test_a_letter_is_read_for_its_follower_and_lead_by_name_accents_and_case_aside():
    from evaluation.documents import pdf_text, read_letter

    text = pdf_text(text_pdf("Intentieverklaring", "Het college van LOCHRISTI engageert zich",
                             "om de oplossing van Stad Gent uit te rollen."))
    assert read_letter(text, ("Lochristi",), ("Gent", "Gand")).to_dict() == {
        "readable": True, "names_follower": True, "names_lead": True}
    assert read_letter(text, ("Merelbeke-Melle",), ("Gent",)).names_follower is False
    # a name inside another word does not count: Gent is not in Gentbrugge's letter
    other = pdf_text(text_pdf("De gemeente Destelbergen, deelgemeente Gentbrugge niet"))
    assert read_letter(other, ("Destelbergen",), ("Gent",)).names_lead is False
    assert read_letter(pdf_text(text_pdf("Sint-Genesius-Rode")), ("Rode",), ()).names_follower \
        is False


def test_a_scan_without_text_is_unreadable_and_claims_nothing():
    from evaluation.documents import pdf_text, read_budget, read_letter

    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(blank)
    assert pdf_text(blank.getvalue()) is None
    assert read_letter(None, ("Lochristi",), ("Gent",)).to_dict() == {
        "readable": False, "names_follower": None, "names_lead": None}
    assert read_budget(None, {"total_budget": 80_000_000}).to_dict() == {
        "readable": False, "states": {}}
    assert pdf_text(b"%PDF-1.7 not really") is None


@pytest.mark.parametrize("written, found", [
    ("Totaal: 800.000 euro", True), ("EUR 800 000,00", True), ("€800,000.00", True),
    ("800000", True), ("8.000.000", False), ("1800000", False), ("800.000,50", False),
    ("800.000,-", True),
])
def test_a_budget_annex_states_an_amount_as_people_write_it(written, found):
    from evaluation.documents import read_budget

    assert read_budget(f"Budget {written} voor het project", {"total_budget": 80_000_000}).states \
        == {"total_budget": found}
    assert read_budget("eigen bijdrage 12.345,67", {"cofinancing": 1_234_567}).states == {
        "cofinancing": True}
