"""One way to move an object from state to state, and write its history.

A workflow is data: its states and, per action, the states it may start from
and the state it leads to (None: the action is recorded on the timeline but
leaves the state as it is, e.g. a handler assigned). The pure part (Workflow,
Action) has no ORM so the tables test without a database; `bind` ties a
workflow to a model and its event table (a subclass of core.models.EventBase).

`transition()` is the only writer of a bound workflow's state column:

- a conditional UPDATE (`filter(pk=…, status=<the state it was in>)`, one of
  the action's allowed states): a double submit, or two people at once, move
  the object once; the loser gets a ValidationError in the user's language;
- the event row (actor, kind, from_state, to_state, data …) in the same
  transaction;
- `on_commit` callables (tasks to send) run only after the commit, so a
  worker never reads a row that is not there yet and a rollback sends nothing.

In-app notifications are rows like the event: services write them in the same
transaction after `transition()` returns, so either both exist or neither
(their e-mails go after commit, see core.services.notify). The handoff notice
(whose move it has become, crm_site.core.handoff) is written here, once for
every workflow that declares its moves.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .handoff import announce, handoff_of, movers


class TransitionRefused(ValidationError):
    """The action does not apply to the object in its current state, or the
    object changed since it was loaded (`changed` is then True)."""

    def __init__(self, message, *, changed: bool = False):
        super().__init__(message)
        self.changed = changed


@dataclass(frozen=True)
class Action:
    sources: tuple[str, ...]
    target: str | None  # None: no state change
    kind: str  # the event kind written


@dataclass(frozen=True)
class Workflow:
    """States and actions; `actions` maps a name to (sources, target) or
    (sources, target, event kind); the kind defaults to the action's name."""

    states: tuple[str, ...]
    actions: Mapping[str, Action]

    def __init__(self, *, states: Iterable[str], actions: Mapping[str, tuple | Action]):
        states = tuple(str(s) for s in states)
        parsed = {}
        for name, spec in actions.items():
            if not isinstance(spec, Action):
                sources, target, *kind = spec
                spec = Action(
                    sources=tuple(str(s) for s in sources),
                    target=None if target is None else str(target),
                    kind=str(kind[0]) if kind else name,
                )
            named = {*spec.sources, *([spec.target] if spec.target else [])}
            unknown = named - set(states)
            if unknown:
                raise ValueError(f"action {name!r} names unknown states {sorted(unknown)}")
            parsed[name] = spec
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "actions", parsed)

    def allows(self, action: str, state: str) -> bool:
        return state in self.actions[action].sources

    def target(self, action: str, state: str) -> str:
        """The state after `action` from `state` (the same state for a no-move action)."""
        return self.actions[action].target or state

    def available(self, state: str) -> list[str]:
        """The actions that apply in `state`, in declaration order."""
        return [name for name, spec in self.actions.items() if state in spec.sources]

    def bind(self, **kwargs) -> "BoundWorkflow":
        return BoundWorkflow(workflow=self, **kwargs)


def _state_label(obj, state_field: str) -> str:
    display = getattr(obj, f"get_{state_field}_display", None)
    return str(display()) if display else str(getattr(obj, state_field))


def default_refused(obj, action: str, state_field: str) -> str:
    return _("This cannot be done while it is “%(state)s”.") % {
        "state": _state_label(obj, state_field)
    }


def default_changed(obj, state_field: str) -> str:
    return _(
        "Someone has just changed this (it is now “%(state)s”). Nothing was saved; "
        "check the page and try again."
    ) % {"state": _state_label(obj, state_field)}


@dataclass(frozen=True)
class BoundWorkflow:
    """A workflow tied to a model's state column and its event table.

    `subject` is the event table's foreign key to the object; `refused(obj,
    action)` and `changed(obj)` give the workflow's own wording of the two
    refusals (the object passed is reloaded, so they can name its state).
    """

    workflow: Workflow
    model: type[models.Model]
    events: type[models.Model]
    subject: str
    state_field: str = "status"
    refused: Callable[[Any, str], str] | None = None
    changed: Callable[[Any], str] | None = None
    stamp_field: str | None = field(default="updated_at")

    def __post_init__(self):
        _REGISTRY[self.model] = self

    @property
    def stamps(self) -> bool:
        """Whether the model has the column that update() must stamp by hand
        (auto_now does not apply to a queryset update)."""
        names = {f.name for f in self.model._meta.concrete_fields}
        return bool(self.stamp_field) and self.stamp_field in names

    def refused_message(self, obj, action: str) -> str:
        if self.refused:
            return str(self.refused(obj, action))
        return default_refused(obj, action, self.state_field)

    def changed_message(self, obj) -> str:
        if self.changed:
            return str(self.changed(obj))
        return default_changed(obj, self.state_field)


_REGISTRY: dict[type[models.Model], BoundWorkflow] = {}


def workflow_of(obj_or_model) -> BoundWorkflow:
    model: type[models.Model] = (
        obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    )
    return _REGISTRY[model._meta.concrete_model or model]


def transition(
    obj: models.Model,
    action: str,
    *,
    actor,
    workflow: BoundWorkflow | None = None,
    where: Mapping[str, Any] | None = None,
    event: Mapping[str, Any] | None = None,
    on_commit: Callable[[], Any] | Iterable[Callable[[], Any]] = (),
    **fields,
):
    """Apply `action` to `obj` as `actor`: move its state, update `fields`,
    write the event row; returns the event. `obj` is reloaded afterwards.

    `where` adds conditions to the claim (e.g. `{"assignee": actor}`);
    `event` adds columns to the event row (comment, data, at, a kind of its
    own …). Raises TransitionRefused (a ValidationError) when the object's
    state does not allow the action, or when it changed meanwhile: nothing is
    then written.
    """
    bound = workflow or workflow_of(obj)
    spec = bound.workflow.actions[action]
    state_field = bound.state_field
    with transaction.atomic():
        manager = bound.model._default_manager
        current = manager.filter(pk=obj.pk).values_list(state_field, flat=True).first()
        loaded = getattr(obj, state_field)
        if current not in spec.sources:
            changed = current != loaded
            if changed and current is not None:
                setattr(obj, state_field, current)
            message = bound.changed_message(obj) if changed else bound.refused_message(obj, action)
            raise TransitionRefused(message, changed=changed)
        target = spec.target or current
        handoff = handoff_of(bound.model)
        before = movers(handoff, obj, current) if handoff else set()
        values = {state_field: target if spec.target else F(state_field)}
        stamp = bound.stamp_field
        if stamp and bound.stamps and stamp not in fields:
            values[stamp] = timezone.now()
        values |= fields
        claimed = manager.filter(pk=obj.pk, **{state_field: current}, **(where or {})).update(
            **values
        )
        if not claimed:
            obj.refresh_from_db()
            raise TransitionRefused(bound.changed_message(obj), changed=True)
        obj.refresh_from_db()
        moved = spec.target is not None and target != current
        row = {
            bound.subject: obj,
            "actor": actor,
            "kind": spec.kind,
            "from_state": current if moved else "",
            "to_state": target if moved else "",
        }
        row |= dict(event or {})
        record = bound.events._default_manager.create(**row)
        if handoff:
            announce(handoff, obj, action=action, before=before, actor=actor, event=record)
        for callback in [on_commit] if callable(on_commit) else on_commit:
            transaction.on_commit(callback)
    return record
