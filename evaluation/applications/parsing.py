"""Application payloads (API, forms, import) to :class:`Application`: one parser, every error.

:func:`application_from_dict` checks the rules that need no call: amounts are whole, non-negative
cents, the grant is not above the total budget, co-financing adds up, nobody is listed twice, the
lead is not also a partner. It collects *every* problem and raises :class:`InvalidApplication`
with one :class:`~evaluation.calls.FieldError` per field, so a form can show each beside its
field. Call rules (caps, percentages, who may lead) are :mod:`evaluation.eligibility`'s job.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from evaluation.applications.model import (
    DELIVERABLE_LINKS,
    ORGANISATION_TYPES,
    Application,
    Deliverables,
    Evidence,
    InvalidApplication,
    Partner,
    is_checkable_link,
)
from evaluation.calls import VGC, FieldError
from matching.registry import DOMAINS

#: Longest link accepted for a deliverable (characters).
MAX_LINK_LENGTH = 500


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


class _Errors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, name: str, en: str, nl: str) -> None:
        self.items.append(FieldError(name, en, nl))


def _amount(payload: Mapping[str, Any], key: str, errors: _Errors, required: bool) -> int | None:
    if key not in payload or payload[key] is None:
        if required:
            errors.add(key, "required", "verplicht")
        return None
    value = payload[key]
    if not _is_int(value):
        errors.add(key, "must be a whole number of euro cents", "moet een geheel aantal eurocent zijn")
        return None
    if value < 0:
        errors.add(key, "must not be negative", "mag niet negatief zijn")
        return None
    return value


def _refnis(value: object, name: str, errors: _Errors, known: Collection[str] | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors.add(name, "must be a REFNIS code", "moet een NIS-code zijn")
        return None
    code = value.strip()
    if code != VGC and known is not None and code not in known:
        errors.add(name, f"unknown municipality {code}", f"onbekende gemeente {code}")
        return None
    return code


def _str_list(value: object, name: str, errors: _Errors) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        errors.add(name, "must be a list of texts", "moet een lijst van teksten zijn")
        return ()
    return tuple(v.strip() for v in value if v.strip())


def _partners(
    raw: object,
    lead: str | None,
    errors: _Errors,
    known_refnis: Collection[str] | None,
    known_organisations: Collection[int] | None,
) -> tuple[Partner, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)):
        errors.add("partners", "must be a list", "moet een lijst zijn")
        return ()
    partners: list[Partner] = []
    seen: dict[tuple[str, object], int] = {}
    for i, item in enumerate(raw):
        name = f"partners[{i}]"
        if not isinstance(item, Mapping):
            errors.add(
                name,
                "must be an object with refnis or organisation",
                "moet een object met refnis of organisation zijn",
            )
            continue
        has_refnis, has_org = item.get("refnis") is not None, item.get("organisation") is not None
        if has_refnis == has_org:
            errors.add(name, "give either refnis or organisation", "geef ofwel refnis ofwel organisation")
            continue
        if has_refnis:
            code = _refnis(item["refnis"], f"{name}.refnis", errors, known_refnis)
            if code is None:
                continue
            key: tuple[str, object] = ("refnis", code)
            if code == lead:
                errors.add(
                    f"{name}.refnis",
                    "the lead applicant is not also a partner",
                    "de indiener is niet ook partner",
                )
                continue
            partner = Partner(refnis=code)
        else:
            org = item["organisation"]
            if not _is_int(org) or org < 1:
                errors.add(
                    f"{name}.organisation",
                    "must be an organisation id",
                    "moet een organisatie-id zijn",
                )
                continue
            if known_organisations is not None and org not in known_organisations:
                errors.add(
                    f"{name}.organisation",
                    f"unknown organisation {org}",
                    f"onbekende organisatie {org}",
                )
                continue
            org_type = item.get("type")
            if org_type is not None and org_type not in ORGANISATION_TYPES:
                errors.add(
                    f"{name}.type",
                    f"type must be one of {', '.join(ORGANISATION_TYPES)}",
                    f"type moet een van {', '.join(ORGANISATION_TYPES)} zijn",
                )
                continue
            key = ("organisation", org)
            name_value = item.get("name")
            represents = _represents(item.get("represents"), org_type, name, errors, known_refnis)
            partner = Partner(
                organisation_id=org,
                organisation_type=org_type,
                name=name_value if isinstance(name_value, str) else None,
                represents=represents,
            )
        if key in seen:
            errors.add(
                name,
                f"partner listed twice (also partners[{seen[key]}])",
                f"partner staat er twee keer in (ook partners[{seen[key]}])",
            )
            continue
        seen[key] = i
        partners.append(partner)
    return tuple(partners)


def _represents(
    raw: object,
    org_type: str | None,
    name: str,
    errors: _Errors,
    known_refnis: Collection[str] | None,
) -> tuple[str, ...]:
    """The municipalities an intercommunale declares it represents (REFNIS, no repeats)."""
    if raw is None or raw == []:
        return ()
    if org_type != "intercommunale":
        errors.add(
            f"{name}.represents",
            "only an intercommunale represents municipalities",
            "alleen een intercommunale vertegenwoordigt gemeenten",
        )
        return ()
    if not isinstance(raw, (list, tuple)):
        errors.add(
            f"{name}.represents", "must be a list of REFNIS codes", "moet een lijst van NIS-codes zijn"
        )
        return ()
    codes: list[str] = []
    for j, value in enumerate(raw):
        code = _refnis(value, f"{name}.represents[{j}]", errors, known_refnis)
        if code == VGC:
            errors.add(
                f"{name}.represents[{j}]",
                "an intercommunale represents municipalities, not the VGC",
                "een intercommunale vertegenwoordigt gemeenten, niet de VGC",
            )
        elif code is not None and code not in codes:
            codes.append(code)
    return tuple(codes)


def _links(raw: object, errors: _Errors) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors.add("deliverables.links", "must be an object", "moet een object zijn")
        return {}
    links: dict[str, str] = {}
    for kind, url in raw.items():
        name = f"deliverables.links.{kind}"
        if kind not in DELIVERABLE_LINKS:
            errors.add(name, "unknown deliverable", "onbekend resultaat")
        elif url is None or url == "":
            continue
        elif not isinstance(url, str) or len(url) > MAX_LINK_LENGTH or not is_checkable_link(url):
            errors.add(
                name,
                "must be a web address (https://...) of what is delivered",
                "moet een webadres (https://...) zijn van wat opgeleverd wordt",
            )
        else:
            links[kind] = url.strip()
    return links


def _deliverables(raw: object, errors: _Errors) -> Deliverables:
    if raw is None:
        return Deliverables()
    if not isinstance(raw, Mapping):
        errors.add("deliverables", "must be an object", "moet een object zijn")
        return Deliverables()
    flags: dict[str, bool] = {}
    for key in ("playbook", "model_specification", "open_source", "open_data", "vloca"):
        value = raw.get(key, False)
        if not isinstance(value, bool):
            errors.add(f"deliverables.{key}", "must be true or false", "moet waar of onwaar zijn")
            value = False
        flags[key] = value
    unknown = set(raw) - set(flags) - {"oslo", "links"}
    for key in sorted(unknown):
        errors.add(f"deliverables.{key}", "unknown deliverable", "onbekend resultaat")
    oslo = _str_list(raw.get("oslo"), "deliverables.oslo", errors)
    return Deliverables(oslo=oslo, links=_links(raw.get("links"), errors), **flags)


def _letter(item: Mapping[str, Any], name: str, errors: _Errors) -> Evidence | None:
    """The letter of intent of a follower given as ``{"refnis", "letter", "letter_document"}``.

    ``letter: true`` is the secretariat's flag; ``letter_document`` the id of the uploaded
    letter (the call's documents). Who may set them is the app's rule, not this parser's.
    """
    unknown = set(item) - {"refnis", "letter", "letter_document"}
    for key in sorted(unknown):
        errors.add(f"{name}.{key}", "unknown field", "onbekend veld")
    flag, document = item.get("letter", False), item.get("letter_document")
    if not isinstance(flag, bool):
        errors.add(f"{name}.letter", "must be true or false", "moet waar of onwaar zijn")
        return None
    if document is not None:
        if not _is_int(document) or document < 1:
            errors.add(f"{name}.letter_document", "must be a document id", "moet een document-id zijn")
            return None
        return Evidence("document", document)
    return Evidence("secretariat") if flag else None


def application_from_dict(
    payload: Mapping[str, Any],
    *,
    known_refnis: Collection[str] | None = None,
    known_organisations: Collection[int] | None = None,
    known_projects: Collection[int] | None = None,
) -> Application:
    """Build an :class:`Application` from its API/JSON form, or raise :class:`InvalidApplication`.

    The ``known_*`` collections, when given, turn unknown municipalities, organisations and
    prior projects into field errors. Field names in errors follow the payload
    (``partners[2].refnis``, ``deliverables.open_data``).
    """
    errors = _Errors()
    if not isinstance(payload, Mapping):
        raise InvalidApplication([FieldError("application", "must be an object", "moet een object zijn")])
    lead = None
    if payload.get("lead") is None:
        errors.add("lead", "required", "verplicht")
    else:
        lead = _refnis(payload["lead"], "lead", errors, known_refnis)

    title = payload.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.add("title", "required", "verplicht")
        title = ""
    summary = payload.get("summary", "")
    if summary is None:
        summary = ""
    if not isinstance(summary, str):
        errors.add("summary", "must be text", "moet tekst zijn")
        summary = ""

    grant = _amount(payload, "requested_grant_cents", errors, required=True)
    total = _amount(payload, "total_budget_cents", errors, required=True)
    cofin = _amount(payload, "cofinancing_cents", errors, required=False)
    if grant is not None and total is not None:
        if grant > total:
            errors.add(
                "requested_grant_cents",
                "the grant is above the total budget",
                "de gevraagde steun is hoger dan het totale budget",
            )
        elif cofin is not None and grant + cofin != total:
            errors.add(
                "cofinancing_cents",
                "grant plus co-financing must equal the total budget",
                "steun plus cofinanciering moet gelijk zijn aan het totale budget",
            )

    domains_raw = payload.get("domains")
    domains: tuple[str, ...] = ()
    if not isinstance(domains_raw, (list, tuple)) or not domains_raw:
        errors.add("domains", "give at least one domain", "geef minstens één domein")
    else:
        picked: list[str] = []
        for i, d in enumerate(domains_raw):
            if d not in DOMAINS:
                errors.add(
                    f"domains[{i}]",
                    f"domain must be one of {', '.join(DOMAINS)}",
                    f"domein moet een van {', '.join(DOMAINS)} zijn",
                )
            elif d in picked:
                errors.add(f"domains[{i}]", "domain listed twice", "domein staat er twee keer in")
            else:
                picked.append(d)
        domains = tuple(picked)

    partners = _partners(payload.get("partners"), lead, errors, known_refnis, known_organisations)
    deliverables = _deliverables(payload.get("deliverables"), errors)

    prior: list[int] = []
    raw_prior = payload.get("prior_projects") or []
    if not isinstance(raw_prior, (list, tuple)):
        errors.add(
            "prior_projects",
            "must be a list of project ids",
            "moet een lijst van project-id's zijn",
        )
        raw_prior = []
    for i, pid in enumerate(raw_prior):
        if not _is_int(pid) or pid < 1:
            errors.add(f"prior_projects[{i}]", "must be a project id", "moet een project-id zijn")
        elif known_projects is not None and pid not in known_projects:
            errors.add(f"prior_projects[{i}]", f"unknown project {pid}", f"onbekend project {pid}")
        elif pid in prior:
            errors.add(f"prior_projects[{i}]", "project listed twice", "project staat er twee keer in")
        else:
            prior.append(pid)

    consortium = {lead} | {p.refnis for p in partners if p.refnis}
    followers: list[str] = []
    raw_followers = payload.get("committed_followers") or []
    if not isinstance(raw_followers, (list, tuple)):
        errors.add(
            "committed_followers",
            "must be a list of REFNIS codes",
            "moet een lijst van NIS-codes zijn",
        )
        raw_followers = []
    letters: dict[str, Evidence] = {}
    for i, value in enumerate(raw_followers):
        name = f"committed_followers[{i}]"
        letter = None
        if isinstance(value, Mapping):
            letter = _letter(value, name, errors)
            value = value.get("refnis")
        code = _refnis(value, name, errors, known_refnis)
        if code is None:
            continue
        if code in consortium:
            errors.add(
                name,
                "a consortium member is not also a follower",
                "een lid van het consortium is niet ook volgstad",
            )
        elif code in followers:
            errors.add(name, "follower listed twice", "volgstad staat er twee keer in")
        else:
            followers.append(code)
            if letter is not None:
                letters[code] = letter

    sharing = _str_list(payload.get("knowledge_sharing"), "knowledge_sharing", errors)
    references = _str_list(payload.get("prior_project_references"), "prior_project_references", errors)
    backed = _amount(payload, "cofinancing_backed_cents", errors, required=False) or 0
    own = cofin if cofin is not None else (total - grant if total is not None and grant is not None else None)
    if own is not None and 0 <= own < backed:
        errors.add(
            "cofinancing_backed_cents",
            "backed co-financing is above the co-financing",
            "gestaafde cofinanciering is hoger dan de cofinanciering",
        )

    if errors.items:
        raise InvalidApplication(errors.items)
    assert lead is not None and grant is not None and total is not None
    return Application(
        id=payload.get("id"),
        lead=lead,
        title=title.strip(),
        summary=summary,
        requested_grant_cents=grant,
        total_budget_cents=total,
        cofinancing_cents=cofin if cofin is not None else total - grant,
        domains=domains,
        partners=partners,
        deliverables=deliverables,
        prior_projects=tuple(prior),
        committed_followers=tuple(followers),
        follower_letters=letters,
        knowledge_sharing=sharing,
        cofinancing_backed_cents=backed,
        prior_project_references=references,
    )
