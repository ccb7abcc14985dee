"""Conventions de formation (../shared/RULES.md, "Documents of a training"): one per session, programme and
buyer — the programme's operator when the programme funds the action, the employer of the enrolled people when
the employer pays — covering that buyer's enrolled trainees.

The provider's référents and managers issue it (a PDF; a change makes a new version), each party signs the
latest version in the browser (typed name and consent, bound to the document's hash) and the signed version is
locked; or the provider marks it signed outside the platform with the signed scan. Only the two parties' staff
see it: the trainees are not parties of the convention.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from parcours.audit.services import audit_record
from parcours.catalog.enums import Funding, SessionStatus
from parcours.catalog.models import Programme, Session
from parcours.documents.models import Document, DocumentSignature
from parcours.documents.registry import document_parties_register
from parcours.documents.services import (
    DocumentRefused,
    document_generate,
    document_latest,
    document_lock,
    document_sign,
    document_store,
)
from parcours.documents.uploads import upload_check
from parcours.enrollments.enums import ConventionParty, ConventionStatus, EnrollmentState
from parcours.enrollments.models import Convention, Enrollment
from parcours.enrollments.notifications import managers_of
from parcours.notifications.inapp import notification_category_register, notify_each
from parcours.organisations.models import Organisation, Role
from parcours.organisations.permissions import active_memberships, can_manage, operator_memberships
from parcours.utils.http import client_ip, user_agent

SUBJECT_TYPE = "enrollments.convention"
KIND = "convention"
SCAN_KIND = "convention_signed_scan"
TEMPLATE = "documents/convention.html"

CATEGORY_TO_SIGN = "convention_to_sign"
CATEGORY_SIGNED = "convention_signed"

CONSENT_TEXT = (
    "Je reconnais avoir lu la convention de formation et l'accepte ; ma signature électronique a la même valeur "
    "qu'une signature manuscrite."
)
NO_TRAINEE = (
    "Aucune personne inscrite à cette session pour cet acheteur : la convention ne peut pas être émise "
    "(les inscriptions ont peut-être été annulées)."
)
PAYMENT_DEFAULT = "Non précisées par l'organisme de formation."
NON_PERFORMANCE = (
    "En cas d'inexécution totale ou partielle de l'action du fait de l'organisme de formation, celui-ci rembourse "
    "les sommes indûment perçues (article L6354-1 du Code du travail)."
)


class ConventionRefused(Exception):
    """The convention action cannot happen; the message is for the person, in French."""


def register() -> None:
    """Called once at startup (EnrollmentsConfig.ready): who may read the conventions' files, and the
    notification categories."""
    document_parties_register(SUBJECT_TYPE, _document_party)
    notification_category_register(CATEGORY_TO_SIGN, "Conventions de formation à signer", mutable=True)
    notification_category_register(CATEGORY_SIGNED, "Conventions de formation signées", mutable=False)


# --- Who is who ---------------------------------------------------------------------------------------------


def buyer_of(programme: Programme, employer: Organisation | None) -> Organisation | None:
    """RULES.md: the programme's operator when the programme funds the action, else the employer who pays."""
    if programme.funding == Funding.OPERATOR_FUNDS:
        return programme.operator
    return employer


def is_provider_staff(user, convention: Convention) -> bool:
    return can_manage(user, convention.provider)


def is_buyer_staff(user, convention: Convention) -> bool:
    if convention.buyer_id == convention.programme.operator_id and convention.buyer.is_operator:
        # Operator staff: référents and managers of an active operator (MFA is enforced for them).
        return any(m.organisation_id == convention.buyer_id for m in operator_memberships(user))
    return can_manage(user, convention.buyer)


def parties_of(user, convention: Convention) -> list[str]:
    """The sides the person may act for: provider, buyer (both when one organisation is both)."""
    if not getattr(user, "is_authenticated", False):
        return []
    parties = []
    if is_provider_staff(user, convention):
        parties.append(ConventionParty.PROVIDER.value)
    if is_buyer_staff(user, convention):
        parties.append(ConventionParty.BUYER.value)
    return parties


def _document_party(user, subject_id: UUID) -> bool:
    convention = (
        Convention.objects.select_related("provider", "buyer", "programme").filter(public_id=subject_id).first()
    )
    return convention is not None and bool(parties_of(user, convention))


# --- Reads ----------------------------------------------------------------------------------------------------


def _conventions():
    return Convention.objects.select_related(
        "provider", "provider__provider_profile", "buyer", "programme", "programme__operator", "session__action"
    )


def convention_visible(user, public_id) -> Convention:
    """The convention for one of its parties' staff; a 404 for everyone else."""
    convention = get_object_or_404(_conventions(), public_id=public_id)
    if not parties_of(user, convention):
        raise Http404
    return convention


def session_managed(user, public_id) -> Session:
    """A session for the référents and managers of its provider; a 404 for everyone else."""
    session = get_object_or_404(Session.objects.select_related("action__provider"), public_id=public_id)
    if not can_manage(user, session.action.provider):
        raise Http404
    return session


def convention_versions(convention: Convention) -> list[Document]:
    """Every generated version, newest first, with its signatures."""
    return list(
        Document.objects.filter(kind=KIND, subject_type=SUBJECT_TYPE, subject_id=convention.public_id, key="")
        .prefetch_related("signatures")
        .order_by("-version")
    )


def convention_scans(convention: Convention) -> list[Document]:
    return list(
        Document.objects.filter(kind=SCAN_KIND, subject_type=SUBJECT_TYPE, subject_id=convention.public_id).order_by(
            "-version"
        )
    )


def convention_latest(convention: Convention) -> Document | None:
    return document_latest(kind=KIND, subject_type=SUBJECT_TYPE, subject_id=convention.public_id)


def _enrolled(session: Session):
    return (
        Enrollment.objects.filter(session=session, state=EnrollmentState.ENROLLED)
        .select_related("beneficiary", "employer", "programme__operator")
        .order_by("beneficiary__last_name", "beneficiary__first_name", "pk")
    )


def _trainees(session: Session, programme: Programme, buyer: Organisation) -> list[Enrollment]:
    return [
        enrollment
        for enrollment in _enrolled(session).filter(programme=programme)
        if (found := buyer_of(enrollment.programme, enrollment.employer)) is not None and found.pk == buyer.pk
    ]


@dataclass
class BuyerRow:
    """One buyer of a session (per programme): its enrolled trainees and its live convention, if any."""

    programme: Programme
    buyer: Organisation
    enrollments: list = field(default_factory=list)
    convention: Convention | None = None
    latest: Document | None = None

    @property
    def funding_label(self) -> str:
        return (
            "Financeur (opérateur du programme)" if self.programme.funding == Funding.OPERATOR_FUNDS else "Employeur"
        )


@dataclass
class SessionConventions:
    rows: list[BuyerRow]
    # Enrolled people whose employer pays but who have no employer: no buyer to sign with.
    without_buyer: list


def session_conventions(session: Session) -> SessionConventions:
    """The buyers of a session and their conventions, in four queries."""
    rows: dict[tuple[int, int], BuyerRow] = {}
    without_buyer = []
    for enrollment in _enrolled(session):
        buyer = buyer_of(enrollment.programme, enrollment.employer)
        if buyer is None:
            without_buyer.append(enrollment)
            continue
        row = rows.setdefault((enrollment.programme_id, buyer.pk), BuyerRow(enrollment.programme, buyer))
        row.enrollments.append(enrollment)
    conventions = list(
        Convention.objects.filter(session=session)
        .exclude(status=ConventionStatus.CANCELLED)
        .select_related("buyer", "programme__operator")
    )
    for convention in conventions:
        key = (convention.programme_id, convention.buyer_id)
        row = rows.setdefault(key, BuyerRow(convention.programme, convention.buyer))
        row.convention = convention
    latest: dict[UUID, Document] = {}
    documents = Document.objects.filter(
        kind=KIND, subject_type=SUBJECT_TYPE, subject_id__in=[c.public_id for c in conventions]
    ).order_by("version")
    for document in documents:
        latest[document.subject_id] = document
    for row in rows.values():
        if row.convention is not None:
            row.latest = latest.get(row.convention.public_id)
    ordered = sorted(rows.values(), key=lambda r: (r.programme.name, r.buyer.name, r.buyer.pk))
    return SessionConventions(rows=ordered, without_buyer=without_buyer)


def conventions_of(user):
    """The conventions where one of the person's managed organisations is a party, newest first."""
    managed = [m.organisation_id for m in active_memberships(user) if m.role in {Role.REFERENT, Role.MANAGER}]
    return (
        Convention.objects.filter(Q(provider_id__in=managed) | Q(buyer_id__in=managed))
        .select_related("provider", "buyer", "session__action")
        .order_by("-issued_at", "-pk")
    )


# --- The document ---------------------------------------------------------------------------------------------


def _euros(amount: Decimal) -> str:
    """French money format: 1 800,00 €."""
    whole, cents = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{' '.join(groups)},{cents} €"


def _hours(value) -> str:
    text = f"{Decimal(value):.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _address(organisation: Organisation) -> str:
    town = " ".join(part for part in (organisation.postal_code, organisation.city) if part)
    return ", ".join(part for part in (organisation.address, town) if part)


def _full_name(user) -> str:
    return user.get_full_name().strip() or user.email


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


def convention_data(convention: Convention, trainees: list[Enrollment]) -> dict:
    """Everything the PDF shows, JSON-serialisable: comparing it tells whether a new version is needed."""
    session = convention.session
    action = session.action
    provider = convention.provider
    profile = getattr(provider, "provider_profile", None)
    buyer = convention.buyer
    programme = convention.programme
    slots = list(session.slots.all())
    count = len(trainees)
    qualiopi = ""
    if profile is not None and profile.qualiopi_number:
        qualiopi = profile.qualiopi_number
        if profile.qualiopi_certifier:
            qualiopi += f" (délivré par {profile.qualiopi_certifier})"
    return {
        "reference": str(convention.public_id).split("-")[0].upper(),
        "issued_on": timezone.localtime(convention.issued_at).strftime("%d/%m/%Y"),
        "provider": {
            "name": provider.name,
            "address": _address(provider),
            "siret": provider.siret or "",
            "nda": (profile.nda if profile is not None else "") or "",
            "qualiopi": qualiopi,
        },
        "buyer": {
            "name": buyer.name,
            "address": _address(buyer),
            "siret": buyer.siret or "",
            "role": "financeur, opérateur du programme"
            if programme.funding == Funding.OPERATOR_FUNDS
            else "employeur des stagiaires",
        },
        "programme": {"name": programme.name, "funding": programme.get_funding_display()},
        "action": {
            "title": action.title,
            "summary": action.summary,
            "objectives": _lines(action.objectives),
            "nature": action.get_nature_display(),
            "audience": action.audience,
            "prerequisites": action.prerequisites,
            "modality": action.get_modality_display(),
            "duration": _hours(action.duration_hours),
            "assessment": action.assessment,
            "sanction": action.get_sanction_display(),
            "certification": action.certification,
            "accessibility": action.accessibility,
            "contact": ", ".join(
                part for part in (action.contact_name, action.contact_email, action.contact_phone) if part
            ),
            "price": _euros(action.price),
            "payment_terms": action.payment_terms.strip() or PAYMENT_DEFAULT,
            "cancellation_terms": action.cancellation_terms.strip(),
        },
        "session": {
            "starts_on": session.starts_on.strftime("%d/%m/%Y"),
            "ends_on": session.ends_on.strftime("%d/%m/%Y"),
            "place": session.place or action.place or action.get_modality_display(),
            "slots": [
                {
                    "date": slot.date.strftime("%d/%m/%Y"),
                    "half_day": slot.get_half_day_display(),
                    "times": f"{slot.starts_at:%H:%M} – {slot.ends_at:%H:%M}",
                }
                for slot in slots
            ],
        },
        "trainees": [_full_name(enrollment.beneficiary) for enrollment in trainees],
        "trainee_count": count,
        "total_price": _euros(action.price * count),
        "non_performance": NON_PERFORMANCE,
    }


# --- Changes --------------------------------------------------------------------------------------------------


@dataclass
class Issued:
    convention: Convention
    document: Document
    new_version: bool


def convention_issue(*, session: Session, programme: Programme, buyer: Organisation, actor, request=None) -> Issued:
    """Issue the convention of one buyer, or regenerate it: the same data keeps the version, a change (a new
    trainee, new dates) makes a new one to sign again."""
    provider = session.action.provider
    if not can_manage(actor, provider):
        raise ConventionRefused(
            "Seuls les référents et gestionnaires de l'organisme de formation émettent la convention."
        )
    if programme.funding == Funding.OPERATOR_FUNDS and buyer.pk != programme.operator_id:
        raise ConventionRefused("Ce programme finance l'action : la convention se conclut avec son opérateur.")
    with transaction.atomic():
        # One issuer at a time per session: two clicks never make two conventions or two versions.
        session = Session.objects.select_for_update(of=("self",)).select_related("action__provider").get(pk=session.pk)
        if session.status == SessionStatus.CANCELLED:
            raise ConventionRefused("Cette session est annulée : aucune convention ne peut être émise.")
        trainees = _trainees(session, programme, buyer)
        if not trainees:
            raise ConventionRefused(NO_TRAINEE)
        convention = (
            Convention.objects.select_for_update()
            .filter(session=session, programme=programme, buyer=buyer)
            .exclude(status=ConventionStatus.CANCELLED)
            .first()
        )
        created = convention is None
        if created:
            convention = Convention.objects.create(
                session=session, programme=programme, provider=provider, buyer=buyer, issued_by=actor
            )
        convention = _conventions().get(pk=convention.pk)
        before = convention_latest(convention)
        data = convention_data(convention, trainees)
        document = document_generate(
            kind=KIND,
            subject_type=SUBJECT_TYPE,
            subject_id=convention.public_id,
            template=TEMPLATE,
            context={},
            data=data,
            filename=f"convention-{data['reference'].lower()}.pdf",
            by=actor,
        )
        new_version = before is None or document.pk != before.pk
        if new_version:
            if convention.status != ConventionStatus.ISSUED:
                # The signed version stays locked as it was; this new one must be signed again.
                convention.status = ConventionStatus.ISSUED
                convention.signed_at = None
                convention.save(update_fields=["status", "signed_at"])
            audit_record(
                event_type="convention.issue",
                actor=actor,
                organisation_id=provider.public_id,
                target=convention,
                request=request,
                details={"version": document.version, "trainees": len(trainees), "sha256": document.sha256},
            )
            _tell(
                convention,
                managers_of(convention.buyer),
                category=CATEGORY_TO_SIGN,
                title="Une convention de formation est à signer",
                body=(
                    f"{provider.name} vous adresse la convention de formation « {session.action.title} » "
                    f"(version {document.version}) pour {len(trainees)} stagiaire{'s' if len(trainees) > 1 else ''}. "
                    "Lisez-la et signez-la en ligne."
                ),
                template="conventions/to_sign",
                actor=actor,
            )
    return Issued(convention=convention, document=document, new_version=new_version)


def convention_sign(
    *, convention: Convention, document_id, party: str, actor, signer_name: str, consent: bool, request=None
) -> DocumentSignature:
    """A party signs the latest version; once both have signed, it is locked and the convention is signed."""
    if party not in parties_of(actor, convention):
        raise ConventionRefused("Vous ne pouvez pas signer cette convention pour cette partie.")
    if not consent:
        raise ConventionRefused("Cochez la case de consentement pour signer.")
    with transaction.atomic():
        convention = _conventions().select_for_update(of=("self",)).get(pk=convention.pk)
        if convention.status == ConventionStatus.CANCELLED:
            raise ConventionRefused("Cette convention est annulée : elle ne peut plus être signée.")
        if convention.status == ConventionStatus.SIGNED_OFFLINE:
            raise ConventionRefused("Cette convention a été signée hors de la plateforme : elle ne se signe plus ici.")
        document = Document.objects.filter(
            public_id=document_id, kind=KIND, subject_type=SUBJECT_TYPE, subject_id=convention.public_id
        ).first()
        if document is None:
            raise ConventionRefused("Ce document n'est pas une version de cette convention.")
        try:
            signature = document_sign(
                document=document,
                party=party,
                signer=actor,
                signer_name=signer_name,
                consent_text=CONSENT_TEXT,
                ip=client_ip(request) if request is not None else None,
                user_agent=user_agent(request) if request is not None else "",
            )
        except DocumentRefused as error:
            raise ConventionRefused(str(error)) from error
        audit_record(
            event_type="convention.sign",
            actor=actor,
            organisation_id=convention.provider.public_id,
            target=convention,
            request=request,
            details={"party": party, "version": document.version, "sha256": document.sha256},
        )
        signed = set(document.signatures.values_list("party", flat=True))
        if signed >= {ConventionParty.PROVIDER, ConventionParty.BUYER}:
            document_lock(document)
            convention.status = ConventionStatus.SIGNED
            convention.signed_at = timezone.now()
            convention.save(update_fields=["status", "signed_at"])
            audit_record(
                event_type="convention.signed",
                actor=actor,
                organisation_id=convention.provider.public_id,
                target=convention,
                request=request,
                details={"version": document.version, "sha256": document.sha256},
            )
            _tell_signed(convention, f"La convention (version {document.version}) est signée par les deux parties.")
        else:
            other = ConventionParty.BUYER if party == ConventionParty.PROVIDER else ConventionParty.PROVIDER
            organisation = convention.buyer if other == ConventionParty.BUYER else convention.provider
            _tell(
                convention,
                managers_of(organisation),
                category=CATEGORY_TO_SIGN,
                title="Une convention de formation attend votre signature",
                body=(
                    f"{signature.signer_name} a signé la convention (version {document.version}) pour "
                    f"{(convention.provider if party == ConventionParty.PROVIDER else convention.buyer).name}. "
                    "Signez-la à votre tour."
                ),
                template="conventions/to_sign",
                actor=actor,
            )
    return signature


def convention_mark_signed_offline(*, convention: Convention, actor, uploaded, request=None) -> Document:
    """The provider records a convention signed on paper with its scan; the file is checked before anything
    changes (UploadRefused carries the message for the field)."""
    if not is_provider_staff(actor, convention):
        raise ConventionRefused("Seuls les référents et gestionnaires de l'organisme de formation peuvent faire cela.")
    checked = upload_check(uploaded)
    with transaction.atomic():
        convention = _conventions().select_for_update(of=("self",)).get(pk=convention.pk)
        if convention.status in (ConventionStatus.SIGNED, ConventionStatus.SIGNED_OFFLINE):
            raise ConventionRefused("Cette convention est déjà signée.")
        if convention.status == ConventionStatus.CANCELLED:
            raise ConventionRefused("Cette convention est annulée.")
        latest = convention_latest(convention)
        if latest is None:
            raise ConventionRefused("Émettez d'abord la convention.")
        reference = str(convention.public_id).split("-")[0].lower()
        scan = document_store(
            kind=SCAN_KIND,
            subject_type=SUBJECT_TYPE,
            subject_id=convention.public_id,
            content=checked.content,
            filename=f"convention-{reference}-signee.{checked.extension}",
            content_type=checked.content_type,
            data={"signed_version": latest.version, "signed_sha256": latest.sha256},
            origin="uploaded",
            by=actor,
        )
        document_lock(scan)
        document_lock(latest)
        convention.status = ConventionStatus.SIGNED_OFFLINE
        convention.signed_at = timezone.now()
        convention.save(update_fields=["status", "signed_at"])
        audit_record(
            event_type="convention.signed_offline",
            actor=actor,
            organisation_id=convention.provider.public_id,
            target=convention,
            request=request,
            details={"version": latest.version, "scan_sha256": scan.sha256, "size": scan.size},
        )
        _tell_signed(
            convention,
            f"La convention (version {latest.version}) est signée hors de la plateforme ; son scan est déposé.",
        )
    return scan


# --- Notifications --------------------------------------------------------------------------------------------


def detail_url(convention: Convention) -> str:
    return reverse("conventions:detail", args=[convention.public_id])


def _describe(convention: Convention) -> str:
    session = convention.session
    return (
        f"Convention de formation « {session.action.title} », session du {session.starts_on:%d/%m/%Y} au "
        f"{session.ends_on:%d/%m/%Y}, entre {convention.provider.name} et {convention.buyer.name}"
    )


def _tell(convention, people, *, category, title, body, template, actor=None) -> None:
    notify_each(
        people,
        actor=actor,
        category=category,
        title=title,
        body=body,
        url=detail_url(convention),
        email_template=template,
        context={"convention_description": _describe(convention)},
    )


def _tell_signed(convention: Convention, body: str) -> None:
    """Both parties' staff (the one who acted too: the email is their receipt)."""
    people = [*managers_of(convention.provider), *managers_of(convention.buyer)]
    _tell(
        convention,
        people,
        category=CATEGORY_SIGNED,
        title="Convention de formation signée",
        body=body,
        template="conventions/signed",
    )
