"""Every agreement view × every persona and anonymous, then the forms: errors at the fields with the text kept,
adoption and approval from the version page, and the public page that shows adopted versions only."""

import pytest

from tests.matrix import url_names, walk

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "lars", "per", "hilde", "turid", "sigrid", "anders", "tove", "ola", ANON]
MANAGERS = {"sigrid", "tove"}
VESTFOLD = set(PERSONAS) - {"ola", ANON}


def _expect(view: str, persona: str):
    if view == "public_list":
        return 200
    if persona == ANON:
        return 302
    table = {
        "agreement_list": {200: set(PERSONAS)},
        "agreement_create": {200: MANAGERS, "else": 403},
        "agreement_detail": {200: VESTFOLD},
        "version_create": {200: MANAGERS, 403: VESTFOLD},
        "version_detail": {200: VESTFOLD},
        "draft_detail": {200: MANAGERS},
        "version_edit": {200: MANAGERS},
        "version_adopt": {400: MANAGERS},
        "approval_add": {400: MANAGERS, 403: VESTFOLD},
        "version_act": {404: MANAGERS, 403: VESTFOLD},
        "signed_copy": {200: VESTFOLD},
        "agreement_revision": {400: MANAGERS, 403: VESTFOLD},
    }[view]
    for status, people in table.items():
        if status != "else" and persona in people:
            return status
    return table.get("else", 404)


def test_every_agreements_url_is_in_the_matrix():
    # The consultation views have their own matrix (test_consultation_views.py).
    assert {name for name in url_names("agreements") if not name.startswith("consultation")} == {
        "agreement_list",
        "agreement_create",
        "agreement_detail",
        "version_create",
        "version_detail",
        "version_edit",
        "version_adopt",
        "approval_add",
        "version_act",
        "public_list",
        "signed_copy",
        "agreement_revision",
        "approval_remind",  # its own matrix: test_clauses.test_approval_remind_permission_matrix
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_agreements_permission_matrix(client, demo, ag, persona):
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from samhandling.agreements import services

    approval = services.approval_record(
        actor=ag.sigrid,
        version=ag.v1,
        party=ag.larvik,
        approved_by="Kommunestyret",
        approved_on=date(2023, 2, 1),
        upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    )
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    requests = {
        "agreement_list": "/avtaler/",
        "agreement_create": "/avtaler/ny/",
        "agreement_detail": f"/avtaler/{ag.overarching.pk}/",
        "version_create": f"/avtaler/{ag.overarching.pk}/ny-versjon/",
        "version_detail": f"/avtaler/versjon/{ag.v1.pk}/",
        "draft_detail": f"/avtaler/versjon/{ag.draft.pk}/",
        "version_edit": f"/avtaler/versjon/{ag.draft.pk}/rediger/",
        "version_adopt": ("post", f"/avtaler/versjon/{ag.draft.pk}/vedta/"),
        "approval_add": ("post", f"/avtaler/versjon/{ag.v1.pk}/godkjenning/"),
        "version_act": ("post", f"/avtaler/versjon/{ag.v1.pk}/ukjent/"),
        "public_list": f"/avtaler/offentlig/{ag.community.slug}/",
        "signed_copy": f"/avtaler/godkjenning/{approval.pk}/signert.pdf",
        "agreement_revision": ("post", f"/avtaler/{ag.overarching.pk}/revisjon/"),
    }

    def no_drafts(view, response, status):
        if response.streaming:
            body = b"".join(response.streaming_content)
            return [] if body.startswith(b"%PDF") else [f"{view}: not the signed copy"]
        if (
            status == 200
            and view != "draft_detail"
            and persona not in MANAGERS
            and b"IKT-samarbeid" in response.content
        ):
            return [f"{view} shows the draft to {persona}"]
        return []

    failures = walk(client, requests, lambda view: _expect(view, persona), no_drafts)
    assert not failures, "\n".join(failures)


def test_the_version_form_names_the_bad_lines_and_keeps_the_text(client, ag):
    client.force_login(ag.sigrid)
    response = client.post(f"/avtaler/{ag.overarching.pk}/ny-versjon/", {"text": "Uten nummer\n1 Formål\n§ 6-2: 14"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Linje 1:" in text and "Linje 3:" in text
    assert "Uten nummer" in text


def test_adoption_and_approval_from_the_version_page_and_the_public_page(client, ag):
    client.force_login(ag.sigrid)
    response = client.post(f"/avtaler/versjon/{ag.draft.pk}/vedta/", {"adopt-valid_from": ""})
    assert response.status_code == 400
    assert client.post(f"/avtaler/versjon/{ag.draft.pk}/vedta/", {"adopt-valid_from": "2025-01-01"}).status_code == 302
    response = client.post(
        f"/avtaler/versjon/{ag.v1.pk}/godkjenning/",
        {
            "approval-party": str(ag.hospital.pk),
            "approval-approved_by": "Styret i Sykehuset i Vestfold HF",
            "approval-approved_on": "2023-03-01",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/avtaler/{ag.overarching.pk}/").content.decode()
    assert "Styret i Sykehuset i Vestfold HF" in page
    client.logout()
    public = client.get(f"/avtaler/offentlig/{ag.community.slug}/").content.decode()
    assert "IKT-samarbeid" in public and "Ansvars- og oppgavefordeling" in public


def test_the_agreement_page_title_is_the_agreement_only(client, ag):
    import re

    client.force_login(ag.sigrid)
    page = client.get(f"/avtaler/{ag.overarching.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Overordnet samarbeidsavtale" in title and "<form" not in title and "csrf" not in title
    assert page.count('id="revision-heading"') == 1
