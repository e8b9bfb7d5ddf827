"""A small driver for writing wasm programs as action sequences in tests.

Contrefs are named by allocation index (k0, k1, ...) as in Wasmtime's store;
the driver picks the handle: the current one, or a stale copy on request.
Every action must be one the environment offers (model.environment), so
tests exercise the same action space the checker explores.
"""

from __future__ import annotations

from contcheck.model import UNCAUGHT, Action, Bounds, Event, Kind, State, Version, VMStackState
from contcheck.model.environment import enabled
from contcheck.model.semantics import initial_state, step
from contcheck.model.state import Handle

BOUNDS = Bounds(contrefs=6, tags=3, clauses=3, host_depth=3, handles=6)


class Program:
    def __init__(self, version: Version = Version.V48, bounds: Bounds = BOUNDS) -> None:
        self.version = version
        self.bounds = bounds
        self.state: State = initial_state(version)
        self.event: Event | None = None
        self.history: list[Action] = []

    # -- running actions ------------------------------------------------------

    def do(self, action: Action) -> Event:
        assert action in enabled(self.state, self.bounds, self.version), f"{action} not enabled"
        result = step(self.state, action, self.version, self.bounds.handles)
        self.state, self.event = result.state, result.event
        self.history.append(action)
        return result.event

    def handle(self, k: int, stale: bool = False) -> Handle:
        revision = self.state.continuations[k].revision
        for h in self.state.handles:
            if h.contref == k and (h.witness != revision) == stale:
                return h
        raise AssertionError(f"no {'stale' if stale else 'current'} handle to k{k} is held")

    def new(self) -> int:
        self.do(Action(Kind.CONT_NEW))
        return len(self.state.continuations) - 1

    def bind(self, k: int, stale: bool = False) -> Event:
        return self.do(Action(Kind.CONT_BIND, self.handle(k, stale)))

    def resume(
        self, k: int, on: tuple[int, ...] = (), switch: tuple[int, ...] = (), stale: bool = False
    ) -> Event:
        return self.do(
            Action(Kind.RESUME, self.handle(k, stale), suspend_tags=on, switch_tags=switch)
        )

    def resume_throw(
        self, k: int, catcher: int = UNCAUGHT, on: tuple[int, ...] = (), stale: bool = False
    ) -> Event:
        return self.do(
            Action(Kind.RESUME_THROW, self.handle(k, stale), suspend_tags=on, catcher=catcher)
        )

    def suspend(self, tag: int) -> Event:
        return self.do(Action(Kind.SUSPEND, tag=tag))

    def switch(self, k: int, tag: int, stale: bool = False) -> Event:
        return self.do(Action(Kind.SWITCH, self.handle(k, stale), tag=tag))

    def ret(self) -> Event:
        return self.do(Action(Kind.RETURN))

    def trap(self) -> Event:
        return self.do(Action(Kind.TRAP))

    def throw(self, catcher: int = UNCAUGHT) -> Event:
        return self.do(Action(Kind.THROW, catcher=catcher))

    def host_call(self) -> Event:
        return self.do(Action(Kind.HOST_CALL))

    def copy(self, k: int) -> Event:
        return self.do(Action(Kind.HANDLE_COPY, self.handle(k)))

    def drop(self, k: int, stale: bool = False) -> Event:
        return self.do(Action(Kind.HANDLE_DROP, self.handle(k, stale)))

    def plain(self, kind: Kind, **fields: object) -> Event:
        return self.do(Action(kind, **fields))  # type: ignore[arg-type]

    # -- reading the state ------------------------------------------------------

    def st(self, k: int) -> VMStackState:
        return VMStackState(self.state.continuations[k].state)

    def init_st(self, activation: int = 0) -> VMStackState:
        return VMStackState(self.state.activations[activation].csi.state)

    @property
    def running(self) -> str:
        return str(self.state.running)

    @property
    def chain(self) -> str:
        return str(self.state.stack_chain)

    @property
    def fault(self) -> str:
        return self.state.fault

    @property
    def host_trap(self) -> str:
        assert self.event is not None
        return self.event.host_trap


def child_suspended_to_parent(p: Program) -> tuple[int, int]:
    """The opening of cont_nested1/3: main resumes k0, k0 resumes k1 with a
    clause on e0, and k1 suspends back to k0, which runs again."""
    k0 = p.new()
    p.resume(k0)
    k1 = p.new()
    p.resume(k1, on=(0,))
    p.suspend(0)
    return k0, k1
