"""A reference executor with real stack switching: every continuation runs on
its own native stack (a greenlet).

`resume` switches into the child with the resumer as its greenlet parent,
`suspend` switches to the handler's stack, `switch` transfers, a return ends
the greenlet (control passes to its parent), a trap or escaping exception
propagates into the parent's pending switch.  Host re-entry runs the nested
activation on the caller's own stack.  The runtime bookkeeping greenlets lack
(revisions, handler lists, `last_ancestor`, `VMStackState`) is kept here,
written independently of `contcheck.model`; this executor implements the
correct semantics, so a v44 trace parts from it where v44 misbehaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from greenlet import greenlet

from contcheck.model import UNCAUGHT, Action, Kind

NULL = "null reference"
CONSUMED = "continuation already consumed"
UNHANDLED = "unhandled tag"
UNREACHABLE = "wasm `unreachable` instruction executed"
UNCAUGHT_EXCEPTION = "uncaught wasm exception"


class Trap(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Thrown(Exception):
    """A wasm exception; `catcher` stacks further up, a try_table catches it."""

    def __init__(self, catcher: int) -> None:
        super().__init__(UNCAUGHT_EXCEPTION)
        self.catcher = catcher


@dataclass(eq=False)
class Stack:
    """One stack: a continuation with its greenlet, or an initial stack that
    runs on the greenlet of whoever entered wasm."""

    name: str
    g: greenlet | None = None
    state: str = "Fresh"
    parent: Stack | None = None  # parent_chain; None is Absent
    last_ancestor: Stack | None = None
    revision: int = 0
    handlers: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Observation:
    """What the real stacks show after one step."""

    running: str
    chain: list[str]  # the active chain by greenlet parents, head first
    states: dict[str, str]  # each contref's bookkeeping state
    finished: set[str]  # contrefs whose greenlet has ended
    host_trap: str = ""
    handler: str = ""  # "<stack> clause <i>": the handler this step's suspend or switch found


Handle = tuple[int, int]


class NativeRuntime:
    """Runs a sequence of actions; `observe` is called after every step."""

    def __init__(self, actions: list[Action], slots: int) -> None:
        self.pending: Iterator[Action] = iter(actions)
        self.slots = slots
        self.conts: list[Stack] = []
        self.inits: list[Stack] = []
        self.handles: list[Handle] = []
        self.host_error = ""
        self.host_trap = ""
        self.handler = ""  # found by the step under way
        self.observations: list[Observation] = []
        self.driver = greenlet.getcurrent()

    # -- driving -------------------------------------------------------------

    def run(self) -> list[Observation]:
        """Execute every action; one observation per state (the initial one too)."""
        try:
            message = self._start_activation()
            while message is not None:
                message = self._drive(message)
        except _Finished:
            pass
        return self.observations

    def _drive(self, message: Any) -> Any:
        kind, frame = message
        self._observe(frame)
        if kind == "ended":
            action = next(self.pending, None)
            if action is None:
                return None
            if action.kind == Kind.HOST_INVOKE:
                return self._start_activation()
            return ("ended", None)  # gc with no wasm running: nothing to see
        return frame.g_running.switch()

    def _start_activation(self) -> Any:
        self.host_trap = ""
        g = greenlet(lambda: self._activation(None))
        return g.switch()

    def _activation(self, caller: Frame | None) -> Any:
        init = Stack(f"init{len(self.inits)}", greenlet.getcurrent(), "Running")
        self.inits.append(init)
        frame = Frame(self, init)
        try:
            frame.interpret()
            error = ""
        except (Trap, Thrown) as err:
            error = err.message if isinstance(err, Trap) else UNCAUGHT_EXCEPTION
        self.inits.pop()
        if caller is not None:
            return error
        self.host_trap = error
        return ("ended", None)

    def run_continuation(self, c: Stack) -> tuple[str, Stack]:
        """The body of a continuation's greenlet; its return ends the greenlet
        and hands ("return", c) to the greenlet parent's pending switch."""
        Frame(self, c).interpret()
        return ("return", c)

    def next_action(self, frame: Frame) -> Action:
        """Signal that the previous step ended with `frame` running, then fetch
        the next action it performs."""
        frame.g_running = greenlet.getcurrent()
        self.driver.switch(("step", frame))
        action = next(self.pending, None)
        if action is None:
            raise _Finished
        return action

    def _observe(self, frame: Frame | None) -> None:
        self.observations.append(
            Observation(
                frame.stack.name if frame is not None else "",
                _active_chain(frame) if frame is not None else [],
                {c.name: c.state for c in self.conts},
                {c.name for c in self.conts if c.g is not None and c.g.dead},
                self.host_trap,
                self.handler,
            )
        )
        self.handler = ""


def _active_chain(frame: Frame) -> list[str]:
    """The running stack and its ancestors by the bookkeeping `parent`,
    each checked against the real greenlet parent."""
    running: Stack = frame.stack
    chain = [running.name]
    g: greenlet | None = frame.g_running
    while running.parent is not None and g is not None:
        parent = running.parent
        if parent.g is not g.parent:
            chain.append(f"<greenlet parent of {running.name} is not {parent.name}'s>")
            break
        chain.append(parent.name)
        running, g = parent, g.parent
    return chain


class _Finished(Exception):
    """The trace has no more actions: unwind every frame quietly."""


class Frame:
    """The interpreter of one stack's function: it performs the actions while
    its stack runs."""

    def __init__(self, rt: NativeRuntime, stack: Stack) -> None:
        self.rt = rt
        self.stack = stack
        self.g_running: greenlet = greenlet.getcurrent()

    def interpret(self) -> None:
        while True:
            action = self.rt.next_action(self)
            if self.perform(action):
                return

    def perform(self, action: Action) -> bool:
        """Run one action; True when the stack's function returned."""
        handler = _ACTIONS.get(action.kind)
        if handler is None:
            raise Trap(f"not replayable natively: {action.kind}")
        return bool(handler(self, action))

    # -- handles -------------------------------------------------------------

    def target(self, action: Action) -> Stack:
        if action.handle is None:
            raise Trap(NULL)
        c = self.rt.conts[action.handle.contref]
        if c.revision != action.handle.witness:
            raise Trap(CONSUMED)
        return c

    def consume(self, action: Action) -> Stack:
        c = self.target(action)
        assert action.handle is not None
        self.rt.handles.remove((action.handle.contref, action.handle.witness))
        c.revision += 1
        return c

    def give(self, c: Stack) -> None:
        if len(self.rt.handles) < self.rt.slots:
            self.rt.handles.append((self.rt.conts.index(c), c.revision))

    # -- control -------------------------------------------------------------

    def enter(self, c: Stack, message: tuple[Any, ...]) -> Any:
        """Splice c's chain under this stack and switch into it; returns what
        arrives back at this resume site."""
        ancestor = c.last_ancestor or c
        ancestor.parent = self.stack
        c.last_ancestor = None
        c.state, self.stack.state = "Running", "Parent"
        if c.g is None:
            c.g = greenlet(lambda *_: self.rt.run_continuation(c), parent=greenlet.getcurrent())
        else:
            assert ancestor.g is not None
            ancestor.g.parent = greenlet.getcurrent()
        return c.g.switch(*message)

    def resume_site(self, arrived: Any) -> None:
        """Phase B: this stack runs again; handle what came back."""
        self.stack.state = "Running"
        self.stack.handlers = []
        kind, head = arrived
        if kind == "return":
            head.state = "Returned"
        else:
            self.give(head)

    def resume_and_wait(self, c: Stack, message: tuple[Any, ...]) -> None:
        try:
            arrived = self.enter(c, message)
        except (Trap, Thrown) as err:
            self._trapped_child()
            if isinstance(err, Thrown):
                err.catcher -= 1
                if err.catcher == 0:
                    return
            raise
        self.resume_site(arrived)

    def _trapped_child(self) -> None:
        """The child chain that just unwound into this stack ends Trapped."""
        for c in self.rt.conts:
            if c.state in ("Running", "Parent") and c.parent is self.stack:
                c.state = "Trapped"
        self.stack.state = "Running"
        self.stack.handlers = []


def _search(frame: Frame, tag: int, kind: str) -> tuple[Stack, Stack, int]:
    link: Stack | None = frame.stack
    seen: set[int] = set()
    while link is not None and link not in frame.rt.inits:
        if id(link) in seen:
            raise Trap("SEARCH does not terminate")
        seen.add(id(link))
        parent = link.parent
        if parent is None:
            break
        matching = [t for t, k in parent.handlers if k == kind]
        offset = 0 if kind == "suspend" else sum(1 for _, k in parent.handlers if k == "suspend")
        for i, t in enumerate(matching):
            if t == tag:
                frame.rt.handler = f"{parent.name} clause {offset + i}"
                return parent, link, offset + i
        link = parent
    raise Trap(UNHANDLED)


def _cont_new(frame: Frame, action: Action) -> None:
    if action.null:
        raise Trap(NULL)
    c = Stack(f"k{len(frame.rt.conts)}")
    c.last_ancestor = c
    frame.rt.conts.append(c)
    frame.give(c)


def _cont_bind(frame: Frame, action: Action) -> None:
    frame.give(frame.consume(action))


def _resume(frame: Frame, action: Action) -> None:
    c = frame.consume(action)
    frame.stack.handlers = [(t, "suspend") for t in action.suspend_tags]
    frame.stack.handlers += [(t, "switch") for t in action.switch_tags]
    frame.resume_and_wait(c, ("resume",))


def _resume_throw(frame: Frame, action: Action) -> None:
    c = frame.target(action)
    if action.null:
        raise Trap(NULL)
    frame.consume(action)
    if c.state == "Fresh":
        c.state = "Trapped"
        if action.catcher != 0:
            raise Thrown(action.catcher if action.catcher != UNCAUGHT else -1)
        return
    # the resumer's handlers, switch clauses included, as for resume (§3.6 step 5)
    frame.stack.handlers = [(t, "suspend") for t in action.suspend_tags]
    frame.stack.handlers += [(t, "switch") for t in action.switch_tags]
    frame.resume_and_wait(c, ("throw", action.catcher))


def _suspend(frame: Frame, action: Action) -> None:
    handler, child, index = _search(frame, action.tag, "suspend")
    me = frame.stack
    me.last_ancestor, me.state, child.parent = child, "Suspended", None
    assert handler.g is not None
    _arrived_at_suspension(frame, handler.g.switch(("suspend", me)))


def _switch(frame: Frame, action: Action) -> None:
    w = frame.consume(action)
    handler, child, _ = _search(frame, action.tag, "switch")
    me = frame.stack
    me.last_ancestor, me.state, child.parent = child, "Suspended", None
    frame.give(me)
    ancestor = w.last_ancestor or w
    ancestor.parent = handler
    w.state = "Running"
    assert handler.g is not None
    if w.g is None:
        w.g = greenlet(lambda *_: frame.rt.run_continuation(w), parent=handler.g)
    else:
        assert ancestor.g is not None
        ancestor.g.parent = handler.g
    _arrived_at_suspension(frame, w.g.switch(("switch",)))


def _arrived_at_suspension(frame: Frame, message: Any) -> None:
    """This stack runs again at its suspend/switch site."""
    frame.stack.state = "Running"
    if message and message[0] == "throw":
        catcher = message[1]
        if catcher == 0:
            return
        raise Thrown(catcher if catcher != UNCAUGHT else -1)


def _return(frame: Frame, action: Action) -> bool:
    return True


def _trap(frame: Frame, action: Action) -> None:
    raise Trap(UNREACHABLE)


def _throw(frame: Frame, action: Action) -> None:
    raise Thrown(action.catcher if action.catcher != UNCAUGHT else -1)


def _host_call(frame: Frame, action: Action) -> None:
    error = frame.rt._activation(frame)
    frame.rt.host_error = error
    if error:
        follow = frame.rt.next_action(frame)
        frame.rt.host_error = ""
        if follow.kind == Kind.HOST_RETHROW:
            raise Trap(error)


def _handle_copy(frame: Frame, action: Action) -> None:
    assert action.handle is not None
    if len(frame.rt.handles) < frame.rt.slots:
        frame.rt.handles.append((action.handle.contref, action.handle.witness))


def _handle_drop(frame: Frame, action: Action) -> None:
    assert action.handle is not None
    frame.rt.handles.remove((action.handle.contref, action.handle.witness))


def _nothing(frame: Frame, action: Action) -> None:
    """GC tracing has no native counterpart: greenlets are walked by Python."""


_ACTIONS: dict[Kind, Callable[[Frame, Action], bool | None]] = {
    Kind.CONT_NEW: _cont_new,
    Kind.CONT_BIND: _cont_bind,
    Kind.RESUME: _resume,
    Kind.RESUME_THROW: _resume_throw,
    Kind.RESUME_THROW_REF: _resume_throw,
    Kind.SUSPEND: _suspend,
    Kind.SWITCH: _switch,
    Kind.RETURN: _return,
    Kind.TRAP: _trap,
    Kind.THROW: _throw,
    Kind.HOST_CALL: _host_call,
    Kind.HANDLE_COPY: _handle_copy,
    Kind.HANDLE_DROP: _handle_drop,
    Kind.GC: _nothing,
}
