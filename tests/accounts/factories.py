import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from parcours.accounts.models import TermsAcceptance, User

DEFAULT_PASSWORD = "Un-mot-de-passe-solide-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def terms_accepted(self, create, extracted, **kwargs):
        if create and extracted is not False:
            TermsAcceptance.objects.create(user=self, version=settings.PARCOURS_CGU_VERSION)
