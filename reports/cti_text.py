"""A counterexample to induction as a person reads it (issue: z3, `prove`):
the pre-store's chains drawn `k2 -> k1 -> init0`, every contref's fields, the
action, what changed in the post-store, and the property it breaks."""

from __future__ import annotations

from contcheck.checker.itf import Json, changed_fields, state_to_itf
from contcheck.model import Action, State, VMStackState
from contcheck.model.state import ChainKind, Link, VMStackLimits

from .trace_text import show_value


def render_cti(prop: str, pre: State, action: Action, post: State) -> str:
    lines = [f"counterexample to induction for {prop}:", "  pre-store:"]
    lines += ["    " + line for line in describe_store(pre)]
    lines.append(f"  action: {action}   [on {pre.running}]")
    lines.append("  post-store changes:")
    for path, old, new in changed_fields(state_to_itf(pre), state_to_itf(post)):
        lines.append(f"    {path}: {show_value(old)} -> {show_value(new)}")
    return "\n".join(lines)


def cti_json(pre: State, action: Action, post: State) -> Json:
    """A CTI as `prove --json` saves it, for the report to draw."""
    return {
        "pre": state_to_itf(pre),
        "action": str(action),
        "ran_on": str(pre.running),
        "post": state_to_itf(post),
    }


def describe_store(state: State) -> list[str]:
    """Chains, then each contref and initial stack with its fields."""
    lines = [f"store chain: {_chain(state, state.stack_chain)}; running {state.running}"]
    for i, c in enumerate(state.continuations):
        if c.state == VMStackState.SUSPENDED:
            lines.append(f"suspended chain: {_chain(state, Link(ChainKind.CONTINUATION, i))}")
    for i, c in enumerate(state.continuations):
        lines.append(
            f"k{i}: {VMStackState(c.state).name} parent={c.parent_chain} "
            f"last_ancestor={c.last_ancestor} rev={c.revision} handlers={list(c.handlers)} "
            f"fshi={c.first_switch_handler_index} args={c.args_len} values={c.values_len} "
            f"limits=({_limits(c.limits)}) cc={c.cc}"
        )
    for j, a in enumerate(state.activations):
        lines.append(
            f"init{j}: {VMStackState(a.csi.state).name} handlers={list(a.csi.handlers)} "
            f"limits=({_limits(a.csi.limits)}) caller={a.caller} saved_chain={a.saved_chain} "
            f"saved=({_limits(a.saved_limits)})"
        )
    lines.append(
        f"live limits: ({_limits(state.vmctx)}); handles {[str(h) for h in state.handles]}"
    )
    if state.host_error:
        lines.append(f"host function holds the trap '{state.host_error}'")
    return lines


def _chain(state: State, start: Link) -> str:
    links, link = [start], start
    while link.kind == ChainKind.CONTINUATION and len(links) <= len(state.continuations):
        link = state.continuations[link.index].parent_chain
        links.append(link)
    return " -> ".join(str(x) for x in links)


def _limits(x: VMStackLimits) -> str:
    sl, fp, sp, th = x
    return f"stack {sl}, fp {fp}, sp {sp}, trap {th}"
