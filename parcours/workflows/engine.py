"""The transition mechanism every scheme uses (../shared/DESIGN.md, "Workflows are explicit state machines").

A workflow is data: a table of `Transition`s (from-state, action, to-state, who may do it, guard, effects).
`transition_run` re-reads the object under a row lock, checks the state, the actor's permission and the
guard, sets the new state, runs the effects, writes a `TransitionLog` row and an audit event, all in one
transaction; effects queue their emails and notifications in it (sent on commit). An illegal transition
raises `TransitionRefused` with a French message and changes nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from parcours.audit.services import audit_record
from parcours.workflows.models import TransitionLog


class TransitionRefused(Exception):
    """The transition cannot happen now; the message says why, in French, for the person."""


@dataclass
class Context:
    """What a transition's checks and effects receive."""

    obj: models.Model
    actor: Any
    action: str
    from_state: str
    to_state: str
    reason: str = ""
    request: Any = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    source: str | tuple[str, ...]
    action: str
    target: str
    # Who may do it: (actor, obj) -> bool. The system (actor None) passes only when `system` is True.
    allowed: Callable[[Any, models.Model], bool] = lambda actor, obj: False
    system: bool = False
    # Extra condition: (context) -> French message when refused, or None.
    guard: Callable[[Context], str | None] | None = None
    effects: tuple[Callable[[Context], None], ...] = ()
    reason_required: bool = False
    label: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else self.source


@dataclass(frozen=True)
class Workflow:
    name: str
    model: type[models.Model]
    state_field: str
    states: type[models.TextChoices]
    transitions: tuple[Transition, ...]

    def find(self, state: str, action: str) -> Transition | None:
        for transition in self.transitions:
            if transition.action == action and state in transition.sources:
                return transition
        return None

    def actions(self) -> list[str]:
        return sorted({transition.action for transition in self.transitions})

    def available(self, obj: models.Model, actor) -> list[Transition]:
        """The transitions the actor could try from the object's current state (for buttons)."""
        state = getattr(obj, self.state_field)
        return [
            transition
            for transition in self.transitions
            if state in transition.sources and actor is not None and transition.allowed(actor, obj)
        ]


def transition_run(
    workflow: Workflow,
    obj: models.Model,
    action: str,
    *,
    actor=None,
    reason: str = "",
    request=None,
    data: dict | None = None,
    lock: Callable[[models.Model], Iterable] | None = None,
) -> models.Model:
    """Run `action` on `obj`; return the object as saved. `lock` may lock more rows first (a session's)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        if lock is not None:
            lock(obj)
        locked = workflow.model.objects.select_for_update().get(pk=obj.pk)
        state = getattr(locked, workflow.state_field)
        transition = workflow.find(state, action)
        if transition is None:
            raise TransitionRefused(
                f"Impossible : cette demande est « {workflow.states(state).label.lower()} », "
                "elle a peut-être changé entre-temps. Rechargez la page."
            )
        if actor is None and not transition.system:
            raise TransitionRefused("Cette action demande une personne connectée.")
        if actor is not None and not transition.allowed(actor, locked):
            raise TransitionRefused("Vous ne pouvez pas faire cette action sur cette demande.")
        if transition.reason_required and not reason:
            raise TransitionRefused("Indiquez le motif : il est transmis aux personnes concernées.")
        context = Context(
            obj=locked,
            actor=actor,
            action=action,
            from_state=state,
            to_state=transition.target,
            reason=reason,
            request=request,
            data=data or {},
        )
        if transition.guard is not None and (message := transition.guard(context)):
            raise TransitionRefused(message)
        setattr(locked, workflow.state_field, transition.target)
        if hasattr(locked, "state_changed_at"):
            locked.state_changed_at = timezone.now()
        locked.save()
        for effect in transition.effects:
            effect(context)
        TransitionLog.objects.create(
            workflow=workflow.name,
            object_type=locked._meta.label_lower,
            object_id=locked.public_id,
            action=action,
            from_state=state,
            to_state=context.to_state,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            reason=reason,
        )
        audit_record(
            event_type=f"{workflow.name}.{action}",
            actor=actor,
            target=locked,
            request=request,
            details={"from": state, "to": context.to_state},
        )
    return locked


def transition_history(obj: models.Model) -> list[TransitionLog]:
    return list(
        TransitionLog.objects.filter(object_type=obj._meta.label_lower, object_id=obj.public_id)
        .select_related("actor")
        .order_by("occurred_at", "pk")
    )
