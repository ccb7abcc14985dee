"""Assessments and end-of-training documents (services): the objectives, the results, the attestation and the
certificat de réalisation as real PDFs (text and pages checked), their versions, and what is refused."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from parcours.audit.models import AuditEvent
from parcours.catalog.enums import ActionNature
from parcours.catalog.models import Session, Slot
from parcours.documents.models import Document
from parcours.documents.services import document_content
from parcours.enrollments import assessments
from parcours.enrollments.assessments import AssessmentRefused
from parcours.enrollments.enums import AttendanceStatus, EnrollmentState
from parcours.enrollments.models import Assessment, AttendanceRecord, AttendanceSheet, ObjectiveResult
from parcours.notifications.models import Notification
from parcours.organisations.models import ProviderProfile
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.helpers.outbox import emails_to

pytestmark = pytest.mark.django_db

OBJECTIVES = (
    "À l'issue de la formation, vous saurez :\n"
    "- planifier un projet avec un diagramme de Gantt ;\n"
    "- animer une réunion de lancement\n"
    "• suivre le budget; rendre compte aux financeurs"
)
PLANNED = [
    "planifier un projet avec un diagramme de Gantt",
    "animer une réunion de lancement",
    "suivre le budget",
    "rendre compte aux financeurs",
]
RESULTS = ["reached", "partly", "not_reached", "reached"]


def pdf_text(document) -> str:
    reader = PdfReader(io.BytesIO(document_content(document)))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(document) -> int:
    return len(PdfReader(io.BytesIO(document_content(document))).pages)


def flat(text: str) -> str:
    """PDF text with its line breaks as spaces: sentences wrap anywhere."""
    return " ".join(text.split())


def move_session(session, *, days_ago: int) -> Session:
    """The session (two half-days on its first day) moved to `days_ago` days before today."""
    start = timezone.localdate() - datetime.timedelta(days=days_ago)
    Session.objects.filter(pk=session.pk).update(
        starts_on=start, ends_on=start + datetime.timedelta(days=1), registration_deadline=start
    )
    Slot.objects.filter(session=session).update(date=start)
    session.refresh_from_db()
    return session


@pytest.fixture(autouse=True)
def _registered():
    assessments.register()


@pytest.fixture
def people():
    people = cast()
    people.action.objectives = OBJECTIVES
    people.action.save()
    ProviderProfile.objects.filter(organisation=people.provider).update(nda="11755555575")
    people.provider_referent.first_name, people.provider_referent.last_name = "Anne", "Durand"
    people.provider_referent.save()
    move_session(people.session, days_ago=5)
    return people


@pytest.fixture
def enrollment(people):
    return EnrollmentFactory(
        session=people.session, employer=people.employer, beneficiary=people.beneficiary, enrolled=True
    )


def assess(enrollment, by, results=RESULTS, comment="Très bonne implication."):
    return assessments.assessment_record(enrollment=enrollment, actor=by, results=list(results), comment=comment)


def attend(enrollment, statuses, *, close=True):
    for slot, status in zip(enrollment.session.slots.order_by("date", "starts_at"), statuses, strict=True):
        sheet, _ = AttendanceSheet.objects.get_or_create(slot=slot)
        if close:
            sheet.closed_at = timezone.now()
            sheet.save()
        AttendanceRecord.objects.update_or_create(sheet=sheet, enrollment=enrollment, defaults={"status": status})


# Objectives ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OBJECTIVES, PLANNED),
        ("Savoir faire des choses utiles.", ["Savoir faire des choses utiles."]),
        ("Lire un bilan ; écrire une note ;", ["Lire un bilan", "écrire une note"]),
        ("1. Lire\n2) Écrire\n\n3. Compter", ["Lire", "Écrire", "Compter"]),
        ("a) Lire\nb) Écrire", ["Lire", "Écrire"]),
        ("Vous saurez :", ["Vous saurez :"]),
        ("", []),
    ],
)
def test_objectives_are_the_lines_or_the_pieces_between_semicolons(text, expected):
    assert assessments.objectives_split(text) == expected


# Assessment ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trainer", "provider_referent", "provider_manager"])
def test_the_trainers_and_the_provider_staff_record_one_result_per_objective(people, enrollment, role):
    assessment = assess(enrollment, getattr(people, role))

    rows = list(ObjectiveResult.objects.filter(assessment=assessment).values_list("position", "objective", "result"))
    assert rows == [
        (i, objective, result) for i, (objective, result) in enumerate(zip(PLANNED, RESULTS, strict=True), start=1)
    ]
    assert assessment.comment == "Très bonne implication."
    assert assessment.assessed_by == getattr(people, role)
    assert AuditEvent.objects.filter(event_type="assessment_recorded", target_id=str(enrollment.public_id)).exists()


def test_an_assessment_stays_editable_and_is_replaced_whole(people, enrollment):
    assess(enrollment, people.trainer)
    assess(enrollment, people.provider_referent, results=["reached"] * 4, comment="Revu.")

    assessment = Assessment.objects.get(enrollment=enrollment)
    assert list(assessment.results.values_list("result", flat=True)) == ["reached"] * 4
    assert assessment.comment == "Revu."
    assert ObjectiveResult.objects.filter(assessment=assessment).count() == 4
    assert AuditEvent.objects.filter(event_type="assessment_changed").count() == 1


@pytest.mark.parametrize(
    ("results", "message"),
    [
        (["reached", "partly", "maybe", "reached"], "atteint, partiellement atteint ou non atteint"),
        (["reached", "partly"], "chaque objectif"),
        (["reached"] * 5, "chaque objectif"),
    ],
)
def test_a_result_out_of_the_choices_or_a_missing_one_changes_nothing(people, enrollment, results, message):
    assess(enrollment, people.trainer)

    with pytest.raises(AssessmentRefused, match=message):
        assess(enrollment, people.trainer, results=results, comment="Autre")

    assessment = Assessment.objects.get(enrollment=enrollment)
    assert assessment.comment == "Très bonne implication."
    assert list(assessment.results.values_list("result", flat=True)) == RESULTS


@pytest.mark.parametrize(
    ("state", "message"),
    [(EnrollmentState.CANCELLED, "inscription est annulée"), (EnrollmentState.PENDING_PROVIDER, "pas inscrite")],
)
def test_only_enrolled_trainees_are_assessed(people, state, message):
    enrollment = EnrollmentFactory(session=people.session, employer=people.employer, state=state)

    with pytest.raises(AssessmentRefused, match=message):
        assess(enrollment, people.trainer)

    assert not Assessment.objects.exists()


def test_nobody_is_assessed_before_the_session_starts(people, enrollment):
    move_session(people.session, days_ago=-3)

    with pytest.raises(AssessmentRefused, match="pas commencé"):
        assess(enrollment, people.trainer)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "role", ["beneficiary", "employer_referent", "operator_staff", "provider_other_trainer", "other_provider_referent"]
)
def test_others_may_not_assess(people, enrollment, role):
    with pytest.raises(PermissionDenied):
        assess(enrollment, getattr(people, role))
    assert not Assessment.objects.exists()


# Attestation -----------------------------------------------------------------------------------------------------


def test_the_attestation_says_who_what_and_the_results(people, enrollment, django_capture_on_commit_callbacks):
    assess(enrollment, people.trainer)

    with django_capture_on_commit_callbacks(execute=True):
        document, new = assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)

    assert new
    assert document.version == 1
    assert (document.kind, document.subject_type, document.key) == (
        "attestation",
        "enrollments.enrollment",
        "attestation",
    )
    assert document.subject_id == enrollment.public_id
    text = flat(pdf_text(document))
    assert pdf_pages(document) == 1
    session = people.session
    for expected in [
        "Attestation de fin de formation",
        "Léa Petit",
        "Boulangerie Martin",
        "Formations Durand",
        "11755555575",
        "Gestion de projet",
        "Action de formation",
        "14 heures",
        f"du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}",
        *PLANNED,
        "Atteint",
        "Partiellement atteint",
        "Non atteint",
        "Très bonne implication.",
        "Anne Durand",
        f"le {timezone.localdate():%d/%m/%Y}",
    ]:
        assert expected in text, expected
    # The results sit beside their objective, in order.
    assert text.index("Gantt") < text.index("Atteint") < text.index("animer une réunion")
    assert text.index("animer une réunion") < text.index("Partiellement atteint") < text.index("suivre le budget")
    # The trainee is told, in the app and by email.
    notification = Notification.objects.get(user=people.beneficiary)
    assert "attestation de fin de formation" in notification.title
    assert notification.url == f"/evaluations/inscription/{enrollment.public_id}/"
    assert len(emails_to(people.beneficiary.email)) == 1
    assert AuditEvent.objects.filter(event_type="attestation_issued").count() == 1


def test_a_provider_without_nda_says_its_declaration_is_being_registered(people, enrollment):
    ProviderProfile.objects.filter(organisation=people.provider).update(nda="")
    assess(enrollment, people.trainer)

    document, _ = assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)

    assert "déclaration d'activité en cours d'enregistrement" in flat(pdf_text(document))


def test_a_long_assessment_runs_on_more_pages_with_every_objective(people, enrollment):
    many = [f"Objectif numéro {n} : savoir mener la tâche {n} de bout en bout" for n in range(1, 41)]
    people.action.objectives = "\n".join(many)
    people.action.save()
    assess(enrollment, people.trainer, results=["reached"] * 40)

    document, _ = assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)

    pages = pdf_pages(document)
    assert pages >= 2
    text = flat(pdf_text(document))
    assert all(objective in text for objective in many)
    assert f"page {pages} sur {pages}" in text
    assert text.count("Atteint") == 40


def test_the_same_content_keeps_the_version_and_a_changed_assessment_makes_a_new_one(people, enrollment):
    assess(enrollment, people.trainer)
    first, _ = assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)

    again, new = assessments.attestation_issue(enrollment=enrollment, actor=people.provider_manager)
    assert (again.pk, new) == (first.pk, False)
    assert Notification.objects.filter(user=people.beneficiary).count() == 1

    assess(enrollment, people.trainer, results=["reached"] * 4, comment="Objectifs tous atteints après reprise.")
    second, new = assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)

    assert new
    assert second.version == 2
    assert second.sha256 != first.sha256
    assert "tous atteints après reprise" in flat(pdf_text(second))
    assert "Non atteint" not in flat(pdf_text(second))
    # The first version is kept as it was.
    assert "Non atteint" in flat(pdf_text(first))
    assert Document.objects.filter(kind="attestation").count() == 2
    notifications = Notification.objects.filter(user=people.beneficiary).order_by("pk")
    assert "mise à jour" in notifications.last().title


@pytest.mark.parametrize(
    ("state", "message"),
    [(EnrollmentState.CANCELLED, "inscription est annulée"), (EnrollmentState.WAITLISTED, "pas inscrite")],
)
def test_no_document_for_a_cancelled_or_not_enrolled_person(people, enrollment, state, message):
    assess(enrollment, people.trainer)
    enrollment.state = state
    enrollment.save()

    for issue in (assessments.attestation_issue, assessments.certificate_issue):
        with pytest.raises(AssessmentRefused, match=message):
            issue(enrollment=enrollment, actor=people.provider_referent)

    assert not Document.objects.exists()
    assert not Notification.objects.filter(user=people.beneficiary).exists()


def test_no_document_before_the_session_ended(people, enrollment):
    assess(enrollment, people.trainer)
    # Started yesterday, its half-days are today: not over yet.
    move_session(people.session, days_ago=0)
    Slot.objects.filter(session=people.session).update(ends_at=datetime.time(23, 59))

    for issue in (assessments.attestation_issue, assessments.certificate_issue):
        with pytest.raises(AssessmentRefused, match="pas terminée"):
            issue(enrollment=enrollment, actor=people.provider_referent)
    assert not Document.objects.exists()


def test_no_attestation_without_an_assessment(people, enrollment):
    with pytest.raises(AssessmentRefused, match="pas encore évalués"):
        assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)
    assert not Document.objects.exists()


@pytest.mark.parametrize("role", ["trainer", "employer_referent", "beneficiary", "other_provider_referent"])
def test_only_the_provider_staff_issue_documents(people, enrollment, role):
    assess(enrollment, people.trainer)

    for issue in (assessments.attestation_issue, assessments.certificate_issue):
        with pytest.raises(PermissionDenied):
            issue(enrollment=enrollment, actor=getattr(people, role))
    assert not Document.objects.exists()


# Certificat de réalisation ---------------------------------------------------------------------------------------


def test_the_certificate_states_the_hours_done_from_the_attendance(people, enrollment):
    attend(enrollment, [AttendanceStatus.PRESENT, AttendanceStatus.ABSENT])

    document, new = assessments.certificate_issue(enrollment=enrollment, actor=people.provider_referent)

    assert new
    assert (document.kind, document.key) == ("certificate", "certificate")
    assert pdf_pages(document) == 1
    text = flat(pdf_text(document))
    session = people.session
    for expected in [
        "Certificat de réalisation",
        "Je soussigné(e) Anne Durand, représentant légal du dispensateur de l'action Formations Durand",
        "atteste de la réalisation de l'action",
        "11755555575",
        "Léa Petit",
        "Gestion de projet",
        f"du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}",
        "3,5 heures",
        f"Fait à Paris, le {timezone.localdate():%d/%m/%Y}",
        "Cachet du dispensateur",
    ]:
        assert expected in text, expected
    # One box ticked: the action's nature.
    assert text.count("☒") == 1
    assert text.count("☐") == 3
    assert "☒ Action de formation" in text
    assert document.data["hours_done"] == "3,5"


def test_the_certificate_ticks_the_nature_of_the_action(people, enrollment):
    people.action.nature = ActionNature.SKILLS_ASSESSMENT
    people.action.save()

    document, _ = assessments.certificate_issue(enrollment=enrollment, actor=people.provider_referent)

    assert "☒ Bilan de compétences" in flat(pdf_text(document))


def test_a_change_of_attendance_makes_a_new_certificate(people, enrollment):
    attend(enrollment, [AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED])
    first, _ = assessments.certificate_issue(enrollment=enrollment, actor=people.provider_referent)
    same, new = assessments.certificate_issue(enrollment=enrollment, actor=people.provider_manager)
    assert (same.pk, new) == (first.pk, False)

    attend(enrollment, [AttendanceStatus.PRESENT, AttendanceStatus.PRESENT])
    second, new = assessments.certificate_issue(enrollment=enrollment, actor=people.provider_referent)

    assert new
    assert second.version == 2
    assert "7 heures" in flat(pdf_text(second))
    assert "3,5 heures" in flat(pdf_text(first))


def test_no_certificate_while_a_sheet_is_open(people, enrollment):
    attend(enrollment, [AttendanceStatus.PRESENT, AttendanceStatus.PRESENT], close=False)

    with pytest.raises(AssessmentRefused, match="encore ouverte"):
        assessments.certificate_issue(enrollment=enrollment, actor=people.provider_referent)
    with pytest.raises(AssessmentRefused, match="encore ouverte"):
        assessments.documents_issue_all(session=people.session, kind="certificate", actor=people.provider_referent)
    assert not Document.objects.exists()


# For the whole session -------------------------------------------------------------------------------------------


def test_issuing_for_the_whole_session(people, enrollment):
    other = EnrollmentFactory(session=people.session, employer=people.employer, enrolled=True)
    EnrollmentFactory(session=people.session, employer=people.employer, cancelled=True)
    assess(enrollment, people.trainer)

    outcome = assessments.documents_issue_all(
        session=people.session, kind="attestation", actor=people.provider_referent
    )
    assert (outcome.issued, outcome.unchanged, outcome.refused) == (1, 0, [])

    outcome = assessments.documents_issue_all(
        session=people.session, kind="certificate", actor=people.provider_referent
    )
    assert (outcome.issued, outcome.unchanged, outcome.refused) == (2, 0, [])
    assert set(Document.objects.filter(kind="certificate").values_list("subject_id", flat=True)) == {
        enrollment.public_id,
        other.public_id,
    }

    outcome = assessments.documents_issue_all(
        session=people.session, kind="attestation", actor=people.provider_referent
    )
    assert (outcome.issued, outcome.unchanged) == (0, 1)
