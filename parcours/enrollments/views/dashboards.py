"""The dashboards by role: the bénéficiaire's trainings, the employer's, the provider's and the operator's.

The organisation shown follows the switcher (current_organisation) among those where the person holds the
right role; someone with no such membership gets a 403. A session of another provider is a 404: nothing
leaks by id. Filters live in the URL (GET), so a filtered list can be shared; an invalid value is ignored
and its error shown beside the field.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from parcours.accounts.models import User
from parcours.audit.services import audit_record
from parcours.enrollments import dashboards, exports, reports, satisfaction
from parcours.enrollments.dashboards import Decision
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.views.common import manages_employer, membership_for, paginate, works_for_provider
from parcours.organisations.current import organisation_follow
from parcours.organisations.models import Role
from parcours.organisations.permissions import MANAGING_ROLES, active_memberships, can_manage, operator_memberships
from parcours.utils.forms import PERIOD_REVERSED, optional_date_field
from parcours.utils.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

REGISTRANTS_PER_PAGE = 50
EXPORT_FORMATS = {"csv": "csv", "xlsx": "xlsx"}


def _count_label(count: int) -> str:
    return f"{count} demande{'s' if count > 1 else ''}" if count else "Aucune"


# --- Who sees which organisation ----------------------------------------------------------------------------


# --- Filter forms (GET) -------------------------------------------------------------------------------------


class _FilterForm(forms.Form):
    def values(self) -> dict:
        """The valid filters only: a tampered value must not widen or break the list."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value not in ("", None)}

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("du"), cleaned.get("au")
        if date_from and date_to and date_from > date_to:
            self.add_error("au", PERIOD_REVERSED)
        return cleaned


def _state_choices(states=EnrollmentState) -> list[tuple[str, str]]:
    return [("", "Tous les états"), *[(state.value, state.label) for state in states]]


class EmployerDecisionFilterForm(_FilterForm):
    decision = forms.ChoiceField(
        label="Décision", required=False, choices=[("", "Toutes les décisions"), *Decision.LABELS.items()]
    )
    etat = forms.ChoiceField(label="État actuel de la demande", required=False, choices=_state_choices())
    salarie = forms.CharField(
        label="Salarié", required=False, max_length=100, help_text="Nom, prénom ou adresse électronique"
    )
    formation = forms.CharField(label="Formation", required=False, max_length=100, help_text="Intitulé de l'action")
    du = optional_date_field("Décision prise du")
    au = optional_date_field("au")


class ProviderFilterForm(_FilterForm):
    etat = forms.ChoiceField(
        label="Demandes",
        required=False,
        choices=[("", "À valider et sur liste d'attente")]
        + [(state.value, state.label) for state in dashboards.PROVIDER_TO_VALIDATE],
    )
    periode = forms.ChoiceField(label="Sessions", required=False, choices=list(dashboards.SESSION_PERIODS.items()))


class RegistrantFilterForm(_FilterForm):
    etat = forms.ChoiceField(
        label="État",
        required=False,
        choices=_state_choices(dashboards.REGISTRANT_STATES),
    )


class OperatorFilterForm(_FilterForm):
    programme = forms.ChoiceField(label="Programme", required=False)
    etat = forms.ChoiceField(label="État", required=False, choices=_state_choices())
    organisme = forms.CharField(label="Organisme de formation", required=False, max_length=100, help_text="Nom")
    employeur = forms.CharField(label="Employeur", required=False, max_length=100, help_text="Nom")
    du = optional_date_field("Demande déposée du")
    au = optional_date_field("au")

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {str(programme.public_id): programme for programme in programmes}
        self.fields["programme"].choices = [
            ("", "Tous les programmes"),
            *[(key, programme.name) for key, programme in self.programmes.items()],
        ]


# --- Bénéficiaire -------------------------------------------------------------------------------------------


@require_GET
def beneficiary(request):
    """Mes formations: every group with its first rows, or one group whole (?groupe=...), paginated."""
    today = timezone.localdate()
    counts = dashboards.beneficiary_counts(request.user, today=today)
    chosen = request.GET.get("groupe", "")
    url = reverse("dashboards:beneficiary")
    sections = []
    pager = None
    for group in dashboards.BENEFICIARY_GROUPS:
        if chosen in dashboards.BENEFICIARY_GROUP_KEYS and group.key != chosen:
            continue
        queryset = dashboards.beneficiary_enrollments(request.user, group=group.key, today=today)
        if chosen == group.key:
            pager = paginate(request, queryset)
            rows = list(pager.page.object_list)
        else:
            rows = list(queryset[: dashboards.GROUP_PREVIEW]) if counts[group.key] else []
        sections.append(
            {
                "group": group,
                "count": counts[group.key],
                "rows": rows,
                "more_url": f"{url}?groupe={group.key}"
                if pager is None and counts[group.key] > dashboards.GROUP_PREVIEW
                else "",
            }
        )
    context = {
        "sections": sections,
        "pager": pager,
        "counts": [(group, counts[group.key], f"{url}?groupe={group.key}") for group in dashboards.BENEFICIARY_GROUPS],
        "chosen": chosen if pager is not None else "",
        "total": sum(counts.values()),
        "crumbs": [{"label": "Mes formations", "url": url}] if pager is not None else [],
    }
    return render(request, "enrollments/dashboards/beneficiary.html", context)


# --- Employer -----------------------------------------------------------------------------------------------


@require_GET
def employer(request):
    """Requests to decide (oldest first), then every decision taken, filtered."""
    membership = membership_for(request, manages_employer)
    organisation = membership.organisation
    form = EmployerDecisionFilterForm(request.GET or None)
    filters = form.values()
    to_decide = paginate(
        request, dashboards.employer_to_decide(organisation), param="page_a_decider", anchor="a-decider"
    )
    decisions = paginate(
        request,
        dashboards.employer_decisions(
            organisation,
            decision=filters.get("decision", ""),
            state=filters.get("etat", ""),
            employee=filters.get("salarie", ""),
            action=filters.get("formation", ""),
            date_from=filters.get("du"),
            date_to=filters.get("au"),
        ),
        anchor="decisions",
    )
    rows = list(decisions.page.object_list)
    deciders = {user.pk: user for user in User.objects.filter(pk__in={row.decided_by_id for row in rows} - {None})}
    for row in rows:
        row.decision_label = Decision.LABELS[row.decision]
        row.decided_by = deciders.get(row.decided_by_id)
    counts = dashboards.employer_counts(organisation)
    url = reverse("dashboards:employer")
    tiles = [
        {"label": "Demandes à décider", "description": _count_label(counts["to_decide"]), "url": "#a-decider"},
        *[
            {"label": label, "description": _count_label(counts[key]), "url": f"{url}?decision={key}#decisions"}
            for key, label in (
                (Decision.APPROVED, "Accords donnés"),
                (Decision.REFUSED, "Refus"),
                (Decision.DIRECT, "Inscriptions directes"),
            )
        ],
    ]
    context = {
        "organisation": organisation,
        "counts": counts,
        "tiles": tiles,
        "to_decide": to_decide,
        "decisions": decisions,
        "decision_rows": rows,
        "form": form,
        "filtered": bool(filters),
    }
    return render(request, "enrollments/dashboards/employer.html", context)


# --- Provider -----------------------------------------------------------------------------------------------


@require_GET
def provider(request):
    """Requests to validate and sessions with their registrants; a trainer sees only the sessions they train."""
    membership = membership_for(request, works_for_provider)
    organisation = membership.organisation
    manages = membership.role in MANAGING_ROLES
    form = ProviderFilterForm(request.GET or None)
    filters = form.values()
    period = filters.get("periode", "a-venir")
    sessions = paginate(
        request,
        dashboards.provider_sessions(
            organisation,
            today=timezone.localdate(),
            period=period,
            trainer=None if manages else request.user,
        ),
        param="page_sessions",
        anchor="sessions",
    )
    context = {
        "organisation": organisation,
        "manages": manages,
        "form": form,
        "filters": filters,
        "period_label": dashboards.SESSION_PERIODS.get(period, ""),
        "sessions": sessions,
    }
    if manages:
        counts = dashboards.provider_counts(organisation)
        url = reverse("dashboards:provider")
        context.update(
            counts=counts,
            tiles=[
                {
                    "label": "Demandes à valider",
                    "description": _count_label(counts["pending"]),
                    "url": f"{url}?etat={EnrollmentState.PENDING_PROVIDER}#a-valider",
                },
                {
                    "label": "Sur liste d'attente",
                    "description": _count_label(counts["waitlisted"]),
                    "url": f"{url}?etat={EnrollmentState.WAITLISTED}#a-valider",
                },
            ],
            to_validate=paginate(
                request,
                dashboards.provider_to_validate(organisation, state=filters.get("etat", "")),
                anchor="a-valider",
            ),
        )
    return render(request, "enrollments/dashboards/provider.html", context)


def _session_and_access(request, public_id):
    """The session and whether the person manages its provider (True) or trains it (False); 404 otherwise."""
    session = dashboards.session_for_registrants(public_id)
    if session is None:
        raise Http404
    provider_org = session.action.provider
    if can_manage(request.user, provider_org):
        return session, True
    trainer = any(
        membership.organisation_id == provider_org.pk and membership.role == Role.TRAINER
        for membership in active_memberships(request.user)
    )
    if trainer and dashboards.is_trainer_of(request.user, session):
        return session, False
    raise Http404


@require_GET
def provider_session(request, public_id):
    """A session's registrants; its provider's référents and managers also see the requests and export them."""
    session, manages = _session_and_access(request, public_id)
    organisation_follow(request, session.action.provider)
    form = RegistrantFilterForm(request.GET or None) if manages else None
    states = dashboards.REGISTRANT_STATES if manages else (EnrollmentState.ENROLLED,)
    state = form.values().get("etat", "") if form is not None else ""
    registrants = paginate(
        request,
        dashboards.session_registrants(session, states=states, state=state),
        per_page=REGISTRANTS_PER_PAGE,
    )
    context = {
        "session": session,
        "manages": manages,
        "form": form,
        "registrants": registrants,
        "crumbs": [{"label": "Espace organisme de formation", "url": reverse("dashboards:provider")}],
        **after_session(request.user, session),
    }
    return render(request, "enrollments/dashboards/provider_session.html", context)


def after_session(user, session) -> dict:
    """The links to what follows a session's end: its questionnaire's results and its bilans."""
    may_see = satisfaction.may_see_session_results(user, session)
    return {
        "survey_summary": satisfaction.session_survey_summary(session) if may_see else None,
        "bilans": reports.reports_for_session(session) if reports.session_is_ended(session) else [],
    }


@require_GET
def provider_session_export(request, public_id, file_format):
    """The registrants as CSV or XLSX, for the provider's référents and managers; trainers get a 403."""
    if file_format not in EXPORT_FORMATS:
        raise Http404
    session, manages = _session_and_access(request, public_id)
    if not manages:
        raise PermissionDenied
    registrants = list(dashboards.session_registrants(session))
    if file_format == "csv":
        content, content_type = exports.registrants_csv(registrants), CSV_CONTENT_TYPE
    else:
        content = exports.registrants_xlsx(registrants, title=exports.export_title(session))
        content_type = XLSX_CONTENT_TYPE
    # Personal data leaves the platform: say who took it.
    audit_record(
        event_type="enrollments.registrants_export",
        actor=request.user,
        organisation_id=session.action.provider.public_id,
        target=session,
        request=request,
        details={"format": file_format, "rows": len(registrants)},
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(session, file_format)}"'
    return response


# --- Operator -----------------------------------------------------------------------------------------------


@require_GET
def operator(request):
    """Every request of the operator's programmes: counts per state, filters, the latest first."""
    staff = {membership.pk for membership in operator_memberships(request.user)}
    membership = membership_for(request, lambda m: m.pk in staff)
    organisation = membership.organisation
    programmes = list(dashboards.operator_programmes(organisation))
    form = OperatorFilterForm(request.GET or None, programmes=programmes)
    filters = form.values()
    requests_page = paginate(
        request,
        dashboards.operator_requests(
            organisation,
            programme=form.programmes.get(filters.get("programme", "")),
            state=filters.get("etat", ""),
            provider=filters.get("organisme", ""),
            employer=filters.get("employeur", ""),
            date_from=filters.get("du"),
            date_to=filters.get("au"),
        ),
        anchor="demandes",
    )
    counts = dashboards.operator_counts(organisation)
    url = reverse("dashboards:operator")
    context = {
        "organisation": organisation,
        "form": form,
        "filtered": bool(filters),
        "requests": requests_page,
        "counts": [
            {"label": state.label, "count": counts[state.value], "url": f"{url}?etat={state.value}#demandes"}
            for state in EnrollmentState
        ],
        "total": sum(counts.values()),
        "has_programmes": bool(programmes),
    }
    return render(request, "enrollments/dashboards/operator.html", context)
