"""Whose move it is: per workflow, who acts next in each state.

Each workflow declares one pure function, `moves(state) -> tuple[Move, ...]`:
who must act next in that state (a person named by a field of the object, or
the members of the object's unit with a membership kind) and what they are to
do. The first Move whose `when` holds applies. Two readers use it, so they can
never disagree:

- the home page's "awaiting me" panel (crm_site.core.panels), which turns the
  moves into one filter per workflow (`awaiting_filter`), inside the
  workflow's `visible_to` scope;
- `transition()` (crm_site.core.workflow), which after each action notifies
  those whose move it has become (`announce`): one hook for every handoff.

An action whose service already sends its own, richer notice to the next
mover (a returned report, a routed urgent report) is listed in `quiet`.

Workflows register a `Handoff` by dotted path in AppConfig.ready()
(crm_site.core.registry.register_handoff).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.module_loading import import_string

# Named, not imported: the workflow kernel is imported by models' pure rules,
# which may not depend on services or selectors.
UNIT_PEOPLE = "crm_site.accounts.selectors.unit_people"
NOTIFY_EACH = "crm_site.core.services.notify_each"


@dataclass(frozen=True)
class Move:
    """Who acts next and what they do. `person`: the path of a user field
    ("handler", "complaint__handler"); otherwise `unit_kinds`: the members
    of the object's unit with one of these membership kinds. `when`: field
    values the object must have for this move to apply (exact matches)."""

    step: str | Promise
    person: str = ""
    unit_kinds: tuple[str, ...] = ()
    when: Mapping[str, Any] = field(default_factory=dict)

    def holds(self, obj) -> bool:
        return all(_value(obj, path) == value for path, value in self.when.items())


@dataclass(frozen=True)
class Handoff:
    """A workflow's moves, and what the panel and the notices need of it."""

    model_label: str  # app_label.model_name
    label: str | Promise  # the kind of object, as the panel names it
    moves: Callable[[str], tuple[Move, ...]]
    state_field: str = "status"
    quiet: frozenset[str] = frozenset()
    # Fields the panel reads with each row (for its str()), and its order.
    related: tuple[str, ...] = ()
    order: tuple[str, ...] = ("-updated_at", "-pk")

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)


def _value(obj, path: str):
    for name in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _person_id(obj, path: str) -> int | None:
    *parents, last = path.split("__")
    holder = _value(obj, "__".join(parents)) if parents else obj
    return None if holder is None else getattr(holder, f"{last}_id", None)


def move_of(handoff: Handoff, obj, state: str | None = None) -> Move | None:
    """The move that applies to `obj` (in `state`, default its own), or None
    when nobody has to act (a finished object, or a background job's turn)."""
    state = getattr(obj, handoff.state_field) if state is None else state
    for move in handoff.moves(str(state)):
        if move.holds(obj):
            return move
    return None


def movers(handoff: Handoff, obj, state: str | None = None) -> set[int]:
    """The ids of the active users whose move it is."""
    move = move_of(handoff, obj, state)
    if move is None:
        return set()
    if move.person:
        person = _person_id(obj, move.person)
        return {person} if person else set()
    unit_people = import_string(UNIT_PEOPLE)
    unit_id = getattr(obj, "unit_id", None)
    if unit_id is None:
        return set()
    return set(unit_people(unit_id, *move.unit_kinds).values_list("pk", flat=True))


def awaiting_filter(handoff: Handoff, *, user, states, unit_ids: Mapping[str, set[int]]) -> Q:
    """The objects whose move is `user`'s, as one filter: per state, the first
    move whose `when` holds (earlier ones excluded). `unit_ids` maps a
    membership kind to the user's units of that kind."""
    combined = Q(pk__in=[])
    for state in states:
        earlier = Q()
        for move in handoff.moves(str(state)):
            when = Q(**move.when)
            if move.person:
                mine = Q(**{move.person: user})
            else:
                units = set().union(*(unit_ids.get(kind, set()) for kind in move.unit_kinds))
                mine = Q(unit_id__in=sorted(units)) if units else Q(pk__in=[])
            base = Q(**{handoff.state_field: state}) & when
            combined |= base & mine & ~earlier if earlier else base & mine
            earlier |= when if move.when else Q(pk__isnull=False)
    return combined


def handoff_of(model) -> Handoff | None:
    from . import registry

    label = model._meta.label_lower
    for handoff in registry.handoffs.functions():
        if handoff.model_label == label:
            return handoff
    return None


def announce(handoff: Handoff, obj, *, action: str, before: set[int], actor, event) -> None:
    """Notify those whose move it has become (not who had it already, not the
    actor), in the app."""
    if action in handoff.quiet:
        return
    new = movers(handoff, obj) - before - {getattr(actor, "pk", None)}
    if not new:
        return
    from django.utils.translation import gettext as _

    from crm_site.accounts.models import User

    notify_each = import_string(NOTIFY_EACH)
    move = move_of(handoff, obj)
    assert move is not None
    url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    notify_each(
        User.objects.filter(pk__in=sorted(new), is_active=True),
        kind="handoff",
        text=lambda: (
            _("Your move: %(what)s %(object)s") % {"what": handoff.label, "object": obj},
            str(move.step),
        ),
        url=url,
        dedupe_key=f"handoff:{handoff.model_label}:{event.pk}",
        # In the app only: a handoff happens at every step of every workflow,
        # and e-mail shares the urgent queue with urgent routing; the services'
        # own notices for what cannot wait (routing, returns) are e-mailed.
    )
