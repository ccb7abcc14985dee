"""Catalog factories: a published action offered in an open programme, with an open session in 30 days."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from parcours.catalog.enums import (
    ActionNature,
    ActionStatus,
    Funding,
    HalfDay,
    Modality,
    Sanction,
    SessionStatus,
    WhoAsks,
)
from parcours.catalog.models import Programme, Session, Slot, TrainingAction
from tests.organisations.factories import OperatorFactory, ProviderFactory


def _today() -> datetime.date:
    return timezone.localdate()


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    operator = factory.SubFactory(OperatorFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    description = "Un programme de formation des salariés."
    starts_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=365))
    who_asks = WhoAsks.EMPLOYEE
    employer_approval = True
    provider_validation = True
    funding = Funding.OPERATOR_FUNDS
    is_active = True


class TrainingActionFactory(factory.django.DjangoModelFactory):
    """Published, offered in one programme (pass programmes=[...] to choose, programmes=[] for none)."""

    class Meta:
        model = TrainingAction
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"Action de formation {n}")
    summary = "Une formation pour progresser."
    objectives = "Savoir faire des choses utiles."
    audience = "Salariés"
    prerequisites = ""
    nature = ActionNature.TRAINING
    duration_hours = Decimal("14.0")
    price = Decimal("900.00")
    modality = Modality.ON_SITE
    place = "12 rue de la Paix, 75002 Paris"
    department_code = "75"
    accessibility = "Locaux accessibles aux personnes à mobilité réduite."
    assessment = "Quiz de fin de formation."
    sanction = Sanction.ATTESTATION
    contact_name = "Accueil"
    contact_email = "contact@example.org"
    status = ActionStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            self.programmes.add(ProgrammeFactory())
        else:
            self.programmes.set(extracted)


class SessionFactory(factory.django.DjangoModelFactory):
    """Open, starting in 30 days for 2 days, 10 places, registrations until 7 days before, with 2 slots
    (pass slots=False for none)."""

    class Meta:
        model = Session
        skip_postgeneration_save = True

    action = factory.SubFactory(TrainingActionFactory)
    starts_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda s: s.starts_on + datetime.timedelta(days=1))
    place = "12 rue de la Paix, 75002 Paris"
    department_code = "75"
    capacity = 10
    registration_deadline = factory.LazyAttribute(lambda s: s.starts_on - datetime.timedelta(days=7))
    status = SessionStatus.OPEN

    @factory.post_generation
    def slots(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        SlotFactory(session=self, date=self.starts_on, half_day=HalfDay.MORNING)
        SlotFactory(
            session=self,
            date=self.starts_on,
            half_day=HalfDay.AFTERNOON,
            starts_at=datetime.time(13, 30),
            ends_at=datetime.time(17, 0),
        )


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    session = factory.SubFactory(SessionFactory, slots=False)
    date = factory.LazyAttribute(lambda s: s.session.starts_on)
    half_day = HalfDay.MORNING
    starts_at = datetime.time(9, 0)
    ends_at = datetime.time(12, 30)
