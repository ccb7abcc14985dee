"""Enrollment factories: a request of an employee (with their active employee membership) for a factory session,
in the session's first programme. Traits give each workflow state; the rows are written as they are, without
transitions (build through the services when the log or the notifications matter)."""

from types import SimpleNamespace

import factory
from django.utils import timezone

from parcours.accounts.services.mfa import totp_activate
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import Enrollment, EnrollmentMessage
from parcours.enrollments.workflows import session_enrolled_recount
from parcours.organisations.models import Membership, MembershipStatus, Role
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProgrammeFactory, SessionFactory, TrainingActionFactory
from tests.organisations.factories import EmployerFactory, OperatorFactory, ProviderFactory, member


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment
        skip_postgeneration_save = True

    class Params:
        pending_employer = factory.Trait(state=EnrollmentState.PENDING_EMPLOYER)
        pending_provider = factory.Trait(state=EnrollmentState.PENDING_PROVIDER)
        waitlisted = factory.Trait(state=EnrollmentState.WAITLISTED, waitlisted_at=factory.LazyFunction(timezone.now))
        enrolled = factory.Trait(state=EnrollmentState.ENROLLED)
        refused_employer = factory.Trait(
            state=EnrollmentState.REFUSED_BY_EMPLOYER, last_reason="Le budget de l'année est épuisé."
        )
        refused_provider = factory.Trait(
            state=EnrollmentState.REFUSED_BY_PROVIDER, last_reason="Les prérequis ne sont pas remplis."
        )
        cancelled = factory.Trait(state=EnrollmentState.CANCELLED, last_reason="Je ne suis plus disponible.")

    session = factory.SubFactory(SessionFactory)
    programme = factory.LazyAttribute(lambda o: o.session.action.programmes.order_by("pk").first())
    beneficiary = factory.SubFactory(UserFactory)
    employer = factory.SubFactory(EmployerFactory)
    provider = factory.LazyAttribute(lambda o: o.session.action.provider)
    state = EnrollmentState.PENDING_EMPLOYER
    expectations = "Je voudrais progresser sur le sujet."
    requested_by = factory.LazyAttribute(lambda o: o.beneficiary)

    @factory.post_generation
    def session_enrolled_count(self, create, extracted, **kwargs):
        """An enrolled row counts in its session's places, as the workflow keeps them."""
        if create and self.state == EnrollmentState.ENROLLED:
            session_enrolled_recount(self.session_id)

    @factory.post_generation
    def employee_membership(self, create, extracted, **kwargs):
        """The bénéficiaire is an active employee of the employer (pass employee_membership=False to skip)."""
        if not create or extracted is False or self.employer is None:
            return
        Membership.objects.get_or_create(
            user=self.beneficiary,
            organisation=self.employer,
            status=MembershipStatus.ACTIVE,
            defaults={"role": Role.EMPLOYEE, "activated_at": timezone.now()},
        )


class EnrollmentMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnrollmentMessage

    enrollment = factory.SubFactory(EnrollmentFactory)
    author = factory.LazyAttribute(lambda o: o.enrollment.beneficiary)
    author_party = "beneficiary"
    body = "Bonjour, avez-vous des nouvelles de ma demande ?"


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def operator_staff(operator, role=Role.MANAGER):
    """Operator staff with TOTP set up, as MfaRequiredMiddleware demands."""
    user = member(operator, role).user
    totp_activate(user=user, secret=TOTP_SECRET)
    return user


def cast(*, capacity: int = 10, employer_approval: bool = True, provider_validation: bool = True):
    """Everyone around one session: its provider's people, an employer and its people, the programme's operator
    staff, and the same roles elsewhere (who must see nothing)."""
    programme = ProgrammeFactory(employer_approval=employer_approval, provider_validation=provider_validation)
    provider = ProviderFactory(name="Formations Durand")
    action = TrainingActionFactory(provider=provider, programmes=[programme], title="Gestion de projet")
    session = SessionFactory(action=action, capacity=capacity)
    employer = EmployerFactory(name="Boulangerie Martin")
    people = SimpleNamespace(
        programme=programme,
        provider=provider,
        action=action,
        session=session,
        employer=employer,
        beneficiary=member(employer, Role.EMPLOYEE, first_name="Léa", last_name="Petit").user,
        colleague=member(employer, Role.EMPLOYEE).user,
        employer_referent=member(employer, Role.REFERENT).user,
        employer_manager=member(employer, Role.MANAGER).user,
        provider_referent=member(provider, Role.REFERENT).user,
        provider_manager=member(provider, Role.MANAGER).user,
        trainer=member(provider, Role.TRAINER).user,
        provider_other_trainer=member(provider, Role.TRAINER).user,
        operator_staff=operator_staff(programme.operator),
        other_employer_referent=member(EmployerFactory()).user,
        other_provider_referent=member(ProviderFactory()).user,
        other_operator_staff=operator_staff(OperatorFactory(profile__departments=["69"])),
        outsider=UserFactory(),
    )
    session.trainers.add(people.trainer)
    return people
