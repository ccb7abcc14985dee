from django.db import models
from django.db.models import Lookup
from django.utils import timezone

# Reference directories: copies of the official open-data files, loaded by import_uai and import_sirene
# (parcours/organisations/directory/). Nothing here is typed by a person; the tables are reloaded whole.


class SearchTextField(models.TextField):
    """Upper-case words of ASCII letters and digits separated by spaces (directory/text.py), searched by
    word prefixes: `search_text__words_start=["LYC", "ARSON"]` finds "LYCEE D ARSONVAL".
    """


@SearchTextField.register_lookup
class WordsStart(Lookup):
    """Every word given starts a word of the text.

    PostgreSQL: a prefix full-text query that the GIN index of migration 0001 answers. Elsewhere (SQLite):
    LIKE '% WORD%' on the text with a space in front, the same matches without an index.
    """

    lookup_name = "words_start"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = self._words()
        if not words:
            return "1 = 1", []
        params = []
        for word in words:
            params += [*lhs_params, f"% {word}%"]
        return " AND ".join([f"(' ' || {lhs}) LIKE %s"] * len(words)), params

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = self._words()
        if not words:
            return "TRUE", []
        # The words as lexemes as they are, no text parser (the index builds twice as fast); a tsquery cast
        # from text keeps their case too. Same expression as the index of migration 0001.
        return f"array_to_tsvector(string_to_array({lhs}, ' ')) @@ CAST(%s AS tsquery)", [
            *lhs_params,
            " & ".join(f"{word}:*" for word in words),
        ]

    def _words(self) -> list[str]:
        # Only letters and digits reach the SQL: nothing to escape in LIKE or in a tsquery.
        words = [str(word) for word in self.rhs]
        if not all(word.isascii() and word.isalnum() for word in words):
            raise ValueError("words_start takes words of ASCII letters and digits (directory.text.search_words).")
        return words


class SchoolKind(models.TextChoices):
    COLLEGE = "college", "Collège"
    LYCEE = "lycee", "Lycée"
    OTHER = "other", "Autre établissement"


class SchoolEmailOrigin(models.TextChoices):
    DIRECTORY = "directory", "Adresse de l'annuaire de l'éducation"
    DERIVED = "derived", "Adresse déduite : ce.<uai>@<domaine de l'académie>"
    TO_CHECK = "to_check", "Adresse à vérifier par un opérateur"


class DirectorySchool(models.Model):
    """One row of the Annuaire de l'éducation, keyed by its UAI."""

    uai = models.CharField("UAI", max_length=8, primary_key=True)
    name = models.TextField("nom")
    kind = models.CharField("type", max_length=10, choices=SchoolKind.choices)
    is_public = models.BooleanField("public")
    address = models.TextField("adresse", blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    commune = models.TextField("commune", blank=True)
    department_code = models.CharField("département", max_length=3, blank=True)
    academy_code = models.CharField("code de l'académie", max_length=3, blank=True)
    academy_name = models.TextField("académie", blank=True)
    # Lower-cased; empty when an operator must check it (email_origin says which case it is).
    email = models.EmailField("adresse électronique officielle", blank=True)
    email_origin = models.CharField("origine de l'adresse", max_length=10, choices=SchoolEmailOrigin.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    is_open = models.BooleanField("ouvert")
    # The words (UAI, name, commune, postal code) that the search matches.
    search_text = SearchTextField(editable=False)
    updated_at = models.DateTimeField("mis à jour le", default=timezone.now)

    class Meta:
        verbose_name = "établissement scolaire (annuaire)"
        verbose_name_plural = "établissements scolaires (annuaire)"

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    @property
    def email_derived(self) -> bool:
        return self.email_origin == SchoolEmailOrigin.DERIVED

    @property
    def email_needs_check(self) -> bool:
        return self.email_origin == SchoolEmailOrigin.TO_CHECK


class DirectoryEstablishment(models.Model):
    """One establishment of the SIRENE stock, keyed by its SIRET, named after its legal unit.

    A non-diffusible establishment (statutDiffusionEtablissement = P) is stored without its name and address.
    """

    siret = models.CharField("SIRET", max_length=14, primary_key=True)
    siren = models.CharField("SIREN", max_length=9)
    name = models.TextField("nom", blank=True)
    address = models.TextField("adresse", blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    commune = models.TextField("commune", blank=True)
    department_code = models.CharField("département", max_length=3, blank=True)
    naf_code = models.CharField("code NAF", max_length=6, blank=True)
    is_active = models.BooleanField("actif")
    is_diffusible = models.BooleanField("diffusible")
    is_head_office = models.BooleanField("siège")
    # The words (name, commune, postal code) that the search matches; empty when closed or non-diffusible
    # (no search returns those).
    search_text = SearchTextField(editable=False, blank=True)
    updated_at = models.DateTimeField("mis à jour le", default=timezone.now)

    class Meta:
        verbose_name = "établissement (SIRENE)"
        verbose_name_plural = "établissements (SIRENE)"
        # Not db_index: on PostgreSQL that adds a second, pattern-matching index nobody uses.
        indexes = [models.Index(fields=["siren"], name="organisations_siren_idx")]

    def __str__(self) -> str:
        return f"{self.name or 'non diffusible'} ({self.siret})"
