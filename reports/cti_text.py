"""A counterexample to induction as a person reads it (issue: z3, `prove`):
the pre-store's chains drawn `k2 -> k1 -> init0`, every contref's fields, the
action, what changed in the post-store, and the property it breaks."""

from __future__ import annotations

from contcheck.checker.itf import Json, changed_fields, state_to_itf
from contcheck.model import Action, State, VMStackState
from contcheck.model.state import ChainKind, Link

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
    """Chains, then each contref and initial stack with its fields, in the
    names a trace uses (`host stack`, `e0`, `Absent`), not the codes."""
    itf = state_to_itf(state)
    lines = [f"store chain: {_chain(state, state.stack_chain)}; running {state.running}"]
    for i, c in enumerate(state.continuations):
        if c.state == VMStackState.SUSPENDED:
            lines.append(f"suspended chain: {_chain(state, Link(ChainKind.CONTINUATION, i))}")
    for c in itf["continuations"]:
        lines.append(
            f"{c['id']}: {c['state']} parent={c['parent_chain']} "
            f"last_ancestor={c['last_ancestor']} rev={c['revision']} "
            f"handlers={show_value(c['handlers'])} fshi={c['first_switch_handler_index']} "
            f"args={c['args_len']} values={c['values_len']} limits=({_limits(c['limits'])}) "
            f"cc={c['control_context']}"
        )
    for j, a in enumerate(itf["activations"]):
        csi = a["initial_stack"]
        lines.append(
            f"init{j}: {csi['state']} handlers={show_value(csi['handlers'])} "
            f"limits=({_limits(csi['limits'])}) caller={a['caller']} "
            f"saved_chain={a['saved_chain']} saved=({_limits(a['saved_limits'])})"
        )
    lines.append(
        f"live limits: ({_limits(itf['vmctx'])}); handles [{', '.join(map(str, state.handles))}]"
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


def _limits(x: Json) -> str:
    return (
        f"limit {x['stack_limit']}, fp {x['entry_fp']}, sp {x['entry_sp']}, "
        f"trap {x['entry_trap_handler']}"
    )
