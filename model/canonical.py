"""One representative per class of equivalent states, and a compact key for it.

Four reductions, each sound because nothing the runtime or the properties read
tells the states apart:
- revisions: a handle is valid iff its witness equals the revision, and
  revisions only grow (contrefs are never reused, §3.10, I20), so
  `min(revision, 1)` with witnesses mapped to current/stale keeps every future;
- dead fields: a Returned or Trapped contref's chain link, last ancestor,
  handler list, limits and control context are never read again (§3.3 Return
  branch: "stale but harmless"); they are erased;
- symmetry: contref identities are addresses that wasm only compares for
  identity, so contrefs are renumbered in a deterministic traversal order;
- undefined behaviour: the model stops at a faulted state (no actions are
  enabled) and only S0 judges it, by its fault (properties.evaluate): the
  rest is never read, so the state is kept as its fault alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from .state import (
    ABSENT,
    NO_CONTEXT,
    NULL_CONTREF,
    TERMINAL,
    ZERO_LIMITS,
    Activation,
    ChainKind,
    ControlContext,
    Handle,
    InitialStackCSI,
    Link,
    State,
    VMContRef,
    VMStackLimits,
    continuation,
    initial_stack,
    rebuilt,
    record_of,
)


def canonical(state: State) -> State:
    """The representative of `state`'s equivalence class."""
    return canonical_with_order(state)[0]


def canonical_with_order(state: State, symmetry: bool = True) -> tuple[State, list[int]]:
    """The representative, and `order` with representative contref `j` being
    contref `order[j]` of `state`.  Without `symmetry` contrefs keep their
    numbers (only revisions and dead fields are abstracted)."""
    state = _abstract(state)
    order = _traversal_order(state) if symmetry else list(range(len(state.continuations)))
    return relabel(state, order), order


def canonical_key(state: State, symmetry: bool = True) -> bytes:
    """`encode(canonical(state))` without building the representative."""
    state = _abstract(state)
    return encode(state, _traversal_order(state) if symmetry else None)


def _abstract(state: State) -> State:
    """Revisions to 0/1 (with witnesses current/stale), dead fields erased,
    and a faulted state reduced to its fault."""
    if state.fault:
        return _faulted(state.fault)
    conts = state.continuations
    if all(c.revision <= 1 and (c.state not in TERMINAL or c.cc == NO_CONTEXT) for c in conts):
        return state
    handles = tuple(sorted([_abstract_witness(h, conts) for h in state.handles]))
    new = tuple([_abstract_contref(c) for c in conts])
    return record_of(
        State,
        new,
        state.activations,
        state.stack_chain,
        state.vmctx,
        state.running,
        handles,
        state.host_error,
        state.fault,
    )


def _faulted(fault: str) -> State:
    """The one state that stands for every state faulted with `fault`."""
    return record_of(State, (), (), ABSENT, ZERO_LIMITS, ABSENT, (), "", fault)


def _abstract_witness(h: Handle, conts: tuple[VMContRef, ...]) -> Handle:
    revision = conts[h.contref].revision
    current = min(revision, 1)
    return rebuilt(h, (h.contref, current if h.witness == revision else current - 1))


def _abstract_contref(c: VMContRef) -> VMContRef:
    if c.state in TERMINAL:
        return _erased(c.state, min(c.revision, 1), c.args_len, c.values_len)
    if c.revision <= 1:
        return c
    values = list(c)
    values[_REVISION] = 1
    return rebuilt(c, values)


_REVISION = VMContRef._fields.index("revision")
# Erased contrefs differ only in these four fields: each is built once.
_ERASED: dict[tuple[int, int, int, int], VMContRef] = {}


def _erased(state: int, revision: int, args_len: int, values_len: int) -> VMContRef:
    """A Returned or Trapped contref with every field it never reads again erased."""
    key = (state, revision, args_len, values_len)
    found = _ERASED.get(key)
    if found is None:
        found = _ERASED[key] = VMContRef(
            state,
            ABSENT,
            NULL_CONTREF,
            revision,
            (),
            0,
            args_len,
            values_len,
            ZERO_LIMITS,
            NO_CONTEXT,
        )
    return found


def _signature(c: VMContRef, index: int) -> tuple[object, ...]:
    """What a contref looks like without naming other contrefs."""
    return (
        c.state,
        c.revision,
        c.handlers,
        c.first_switch_handler_index,
        c.args_len,
        c.values_len,
        c.cc.kind,
        c.parent_chain.kind,
        c.last_ancestor == index,
    )


def _chain_signature(conts: tuple[VMContRef, ...], index: int) -> tuple[object, ...]:
    """The signatures along a contref's chain: ties between handles to
    look-alike contrefs are broken by what hangs below them."""
    out: list[tuple[object, ...]] = []
    link = continuation(index)
    while link.kind == ChainKind.CONTINUATION and len(out) <= len(conts):
        out.append(_signature(conts[link.index], link.index))
        link = conts[link.index].parent_chain
    return (*out, tuple(link))


def _traversal_order(state: State) -> list[int]:
    """Contrefs in the order a walk first meets them: from the running stack,
    the activations' chains, the contrefs that limits name, then the handles
    (ordered by what hangs below them); the rest by signature."""
    conts = state.continuations
    total = len(conts)
    order: list[int] = []
    _walk(conts, state.running, order)
    _walk(conts, state.stack_chain, order)
    for act in reversed(state.activations):
        _walk(conts, act.caller, order)
    if len(order) < total:
        # Limits name contrefs too: their native stacks and trampoline frames.
        for limits in _all_limits(state):
            if limits[0] >= 0:
                _walk(conts, continuation(limits[0]), order)
            _walk(conts, limits[1], order)
            _walk(conts, limits[2], order)
            _walk(conts, limits[3], order)
    if len(order) < total:
        roots = [h for h in state.handles if h[0] not in order]
        roots.sort(key=lambda h: (h[1], _chain_signature(conts, h[0])))
        for h in roots:
            _walk(conts, continuation(h[0]), order)
    if len(order) < total:
        rest = [i for i in range(total) if i not in order]
        rest.sort(key=lambda i: _signature(conts[i], i))
        order += rest
    return order


def _walk(conts: tuple[VMContRef, ...], link: Link, order: list[int]) -> None:
    """Append the contrefs from `link` down its chain, up to one already met
    (`order` has at most a handful of entries: a list beats a set here)."""
    while link[0] == ChainKind.CONTINUATION and link[1] not in order:
        order.append(link[1])
        link = conts[link[1]].parent_chain


def _all_limits(state: State) -> list[VMStackLimits]:
    out = [state.vmctx]
    for a in state.activations:
        out += (a.csi.limits, a.saved_limits)
    return out


def relabel(state: State, order: list[int]) -> State:
    """Renumber contrefs so that `order[new] == old`."""
    new_of = {old: new for new, old in enumerate(order)}

    def link(x: Link) -> Link:
        return Link(x.kind, new_of[x.index]) if x.kind == ChainKind.CONTINUATION else x

    def limits(x: VMStackLimits) -> VMStackLimits:
        stack = new_of.get(x.stack_limit, x.stack_limit) if x.stack_limit >= 0 else x.stack_limit
        return VMStackLimits(stack, link(x.entry_fp), link(x.entry_sp), link(x.entry_trap_handler))

    def contref(c: VMContRef) -> VMContRef:
        la = new_of[c.last_ancestor] if c.last_ancestor >= 0 else c.last_ancestor
        return c._replace(
            parent_chain=link(c.parent_chain),
            last_ancestor=la,
            limits=limits(c.limits),
            cc=ControlContext(c.cc.kind, link(c.cc.stack)),
        )

    def activation(a: Activation) -> Activation:
        return Activation(
            a.csi._replace(limits=limits(a.csi.limits)),
            link(a.caller),
            link(a.saved_chain),
            limits(a.saved_limits),
        )

    return State(
        tuple(contref(state.continuations[old]) for old in order),
        tuple(activation(a) for a in state.activations),
        link(state.stack_chain),
        limits(state.vmctx),
        link(state.running),
        tuple(sorted(Handle(new_of[h.contref], h.witness) for h in state.handles)),
        state.host_error,
        state.fault,
    )


def encode(state: State, order: list[int] | None = None) -> bytes:
    """A compact key: every field as one byte (values are small), contrefs
    renumbered so that `order[new] == old`, then the fault and host-error texts."""
    conts = state.continuations
    if order is None:
        order = list(range(len(conts)))
    new_of = [0] * len(conts)
    for new, old in enumerate(order):
        new_of[old] = new
    renumber = tuple(new_of)
    parts = [bytes([len(conts) + 3, len(state.activations) + 3, len(state.handles) + 3])]
    parts += [_encoded(conts[old], renumber) for old in order]
    parts += [_encoded(a, renumber) for a in state.activations]
    tail = (state.stack_chain, state.vmctx, state.running)
    handles = sorted((new_of[h.contref], h.witness) for h in state.handles)
    parts.append(_encoded(tail, renumber) + bytes([x + 3 for h in handles for x in h]))
    if state.fault or state.host_error:
        parts.append(b"\0" + state.host_error.encode() + b"\0" + state.fault.encode())
    return b"".join(parts)


# Contrefs and activations recur across millions of states: their encoding
# under a renumbering is computed once.
_ENCODED: dict[tuple[object, tuple[int, ...]], bytes] = {}


def _encoded(part: object, renumber: tuple[int, ...]) -> bytes:
    key = (part, renumber)
    found = _ENCODED.get(key)
    if found is None:
        if len(_ENCODED) > 500_000:
            _ENCODED.clear()
        found = _ENCODED[key] = bytes([x + 3 for x in _flatten(part, renumber)])
    return found


def _flatten(part: object, new_of: tuple[int, ...]) -> list[int]:
    def link(x: Link) -> tuple[int, int]:
        return (x[0], new_of[x[1]]) if x[0] == ChainKind.CONTINUATION else (x[0], x[1])

    def limits(x: VMStackLimits) -> tuple[int, ...]:
        stack = new_of[x[0]] if x[0] >= 0 else x[0]
        return (stack, *link(x[1]), *link(x[2]), *link(x[3]))

    flat: list[int] = []
    if isinstance(part, VMContRef):
        c = part
        la = new_of[c.last_ancestor] if c.last_ancestor >= 0 else c.last_ancestor
        flat += (c.state, *link(c.parent_chain), la, c.revision, c.first_switch_handler_index)
        flat += (c.args_len, c.values_len, *limits(c.limits), c.cc[0], *link(c.cc[1]))
        flat += (len(c.handlers), *c.handlers)
    elif isinstance(part, Activation):
        csi = part.csi
        flat += (csi.state, csi.first_switch_handler_index, len(csi.handlers), *csi.handlers)
        flat += (*limits(csi.limits), *link(part.caller), *link(part.saved_chain))
        flat += limits(part.saved_limits)
    else:
        assert isinstance(part, tuple)
        chain, vmctx, running = part
        flat += (*link(chain), *limits(vmctx), *link(running))
    return flat


def decode(key: bytes) -> State:
    """The canonical state whose `encode` is `key` (keys travel between processes)."""
    flat_part, _, texts = key.partition(b"\0")
    host_error, _, fault = texts.partition(b"\0")
    v = [b - 3 for b in flat_part]
    n_conts, n_acts, n_handles = v[0], v[1], v[2]
    pos = 3
    conts = []
    for _ in range(n_conts):
        # state, parent(2), la, revision, fshi, args, values, limits(7), cc(3), n, handlers
        end = pos + 19 + v[pos + 18]
        conts.append(_decoded(flat_part[pos:end], v, pos, _contref_at))
        pos = end
    acts = []
    for _ in range(n_acts):
        # state, fshi, n, handlers, limits(7), caller(2), saved chain(2), saved limits(7)
        end = pos + 21 + v[pos + 2]
        acts.append(_decoded(flat_part[pos:end], v, pos, _activation_at))
        pos = end
    chain, vmctx, running = _link_at(v, pos), _limits_at(v, pos + 2), _link_at(v, pos + 9)
    pos += 11
    handles = tuple(
        [record_of(Handle, v[pos + 2 * i], v[pos + 2 * i + 1]) for i in range(n_handles)]
    )
    return record_of(
        State,
        tuple(conts),
        tuple(acts),
        chain,
        vmctx,
        running,
        handles,
        host_error.decode(),
        fault.decode(),
    )


# Decoded contrefs and activations by their encoding: like `_ENCODED`, the
# parts recur across millions of keys, and sharing them saves memory too.
_DECODED: dict[bytes, object] = {}
Part = TypeVar("Part", VMContRef, Activation)


def _decoded(raw: bytes, v: list[int], pos: int, build: Callable[[list[int], int], Part]) -> Part:
    found = _DECODED.get(raw)
    if found is None:
        if len(_DECODED) > 500_000:
            _DECODED.clear()
        found = _DECODED[raw] = build(v, pos)
    return cast(Part, found)


def _contref_at(v: list[int], pos: int) -> VMContRef:
    end = pos + 19 + v[pos + 18]
    return VMContRef(
        v[pos],
        _link_at(v, pos + 1),
        v[pos + 3],
        v[pos + 4],
        tuple(v[pos + 19 : end]),
        v[pos + 5],
        v[pos + 6],
        v[pos + 7],
        _limits_at(v, pos + 8),
        ControlContext(v[pos + 15], _link_at(v, pos + 16)),
    )


def _activation_at(v: list[int], pos: int) -> Activation:
    end = pos + 3 + v[pos + 2]
    csi = InitialStackCSI(v[pos], tuple(v[pos + 3 : end]), v[pos + 1], _limits_at(v, end))
    caller, saved = _link_at(v, end + 7), _link_at(v, end + 9)
    return Activation(csi, caller, saved, _limits_at(v, end + 11))


def _limits_at(v: list[int], pos: int) -> VMStackLimits:
    return record_of(
        VMStackLimits, v[pos], _link_at(v, pos + 1), _link_at(v, pos + 3), _link_at(v, pos + 5)
    )


def _link_at(v: list[int], pos: int) -> Link:
    """The link encoded at `pos`: the shared object where the model has one."""
    kind, index = v[pos], v[pos + 1]
    if kind == ChainKind.CONTINUATION:
        return continuation(index)
    if kind == ChainKind.INITIAL_STACK:
        return initial_stack(index)
    return ABSENT if index == 0 else record_of(Link, kind, index)
