"""How a lower layer tells higher ones that something happened, without importing them.

The layers run one way (core <- candidates <- intel <- signals <- review <- integrations):
scoring must not call into the review workflow, yet a re-score that raises the level has to
reopen a cleared review, and soon also send outbound webhooks. So the lower layer defines an
event (a frozen dataclass in its own `events.py`) and emits it; the higher layer subscribes
in its AppConfig.ready():

    # signals/events.py (the lower layer)
    @dataclass(frozen=True)
    class RiskChanged:
        candidate_id: int
        ...

    # review/apps.py (the higher layer)
    events.subscribe(RiskChanged, review_on_rescore_handler)

    # signals/services.py
    events.emit(RiskChanged(candidate_id=..., ...))

Delivery is synchronous, in the emitter's thread and database transaction, in the order the
handlers subscribed: a handler's writes commit or roll back with the change that caused
them, and a handler that raises makes the emitter's transaction fail (nothing half-done).
Work that must wait for the commit (publishing to the broker, HTTP calls) is the handler's
to defer with transaction.on_commit or an outbox row. Every event type and its subscribers
are listed in docs/architecture.md.

Why not Django's model signals (post_save): they fire for every save of a model, before
commit, and are skipped by update() and bulk_create; these events say what happened in the
domain ("the risk level changed"), are emitted by the one service that makes that change, and
carry exactly the facts a subscriber needs.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)
# handler -> its batch twin, for emit_many (a bulk action's events, delivered at once).
_batch_twins: dict[Handler, Callable[[list[Any]], None]] = {}


def subscribe(event_type: type, handler: Handler) -> None:
    """Call `handler(event)` for every event of `event_type` emitted from now on. Subscribing
    the same handler twice (AppConfig.ready() can run twice in tests) has no effect."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def emit(event: Any) -> None:
    """Deliver `event` to every subscriber of its exact type, in subscription order."""
    for handler in tuple(_handlers.get(type(event), ())):
        handler(event)


def subscribe_batch(handler: Handler, batch: Callable[[list[Any]], None]) -> None:
    """Give a subscribed handler a batch twin: `batch(events)` must have the effect of
    calling `handler(event)` for each, in order, only cheaper (a query for all of them
    rather than one each). Used by emit_many."""
    _batch_twins[handler] = batch


def emit_many(events_: list[Any]) -> None:
    """Deliver events of one type (a bulk action's, e.g. 1,000 clearances) to every
    subscriber in subscription order: each handler gets all the events, through its batch
    twin when it has one, else one call per event. Every event is still delivered; only the
    interleaving differs from emit() in a loop (handler by handler, not event by event)."""
    if not events_:
        return
    for handler in tuple(_handlers.get(type(events_[0]), ())):
        batch = _batch_twins.get(handler)
        if batch is not None:
            batch(list(events_))
        else:
            for event in events_:
                handler(event)


def subscribers(event_type: type) -> tuple[Handler, ...]:
    """The handlers subscribed to `event_type` (for docs and tests)."""
    return tuple(_handlers.get(event_type, ()))
