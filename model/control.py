"""Control arriving somewhere else: resume sites, returns, unwinding, host entry/exit.

Spec §3.3 Phase B, §3.7, §3.8 and §3.9.  Every function here mutates a
`Machine` in Wasmtime's order.
"""

from __future__ import annotations

from .machine import Machine, UndefinedBehaviour, Unwind, running_default
from .state import (
    DEAD_INITIAL_STACK,
    HOST_STACK,
    Activation,
    ChainKind,
    CtrlKind,
    Handle,
    Link,
    VMStackState,
    initial_stack,
    record_of,
)

# Control effects (§2.10).
RETURN = "RETURN"
RESUME = "RESUME"
SUSPEND = "SUSPEND"
SWITCH = "SWITCH"
TRAP = "TRAP"
RESUME_THROW = "RESUME_THROW"

# Every continuation function returns one value: `fiber_start` sets
# `args.length := r` (§3.7 step 2).  Arities are fixed per instruction; wasm
# validation, which matches them to types, is outside the model.
RESULT_ARITY = 1


def jump_to_parent(m: Machine, index: int, effect: str) -> Link:
    """`wasmtime_continuation_start` loads the parent's resume point from the
    contref's own control context and sends `effect` there (§3.7 step 3)."""
    cc = m.cont(index).cc
    if cc.kind != CtrlKind.RESUME_POINT:
        raise UndefinedBehaviour(f"k{index}'s launchpad jumps through its control context {cc}")
    m.deliveries.append(("resume", effect))
    return cc.stack


def resume_site(m: Machine, parent: Link, effect: str) -> int:
    """Phase B of the `resume` pending in `parent` (§3.3 steps 13-16).

    Returns the index of the head `H` that returned, suspended or trapped.
    """
    new = m.chain
    m.chain = parent
    m.update(parent, state=VMStackState.RUNNING, handlers=(), first_switch_handler_index=0)
    m.running = parent
    if new.kind != ChainKind.CONTINUATION:
        raise UndefinedBehaviour(
            f"the resume in {parent} takes {new} from the store chain as the returning head"
        )
    head = new.index
    if effect == RETURN:
        m.restore_limits(parent)
        m.set_cont(head, state=VMStackState.RETURNED, args_len=0)
        m.outcome.append(f"k{head} returned to {parent}")
    elif effect == SUSPEND:
        m.save_limits(new, with_stack_limit=False)
        m.restore_limits(parent)
        # The handler preamble loads the tag payload and clears without discard.
        m.set_cont(head, values_len=0)
        m.give_handle(Handle(head, m.cont(head).revision))
    else:  # TRAP, v48 only
        m.set_cont(head, state=VMStackState.TRAPPED)
        m.restore_limits(parent)
        m.set_cont(head, args_len=0, values_len=0)
        m.outcome.append(f"k{head} trapped; {parent} re-raises")
    return head


def continuation_returns(m: Machine) -> None:
    """The function given to `cont.new` returns (§3.7)."""
    index = m.running.index
    m.set_cont(index, args_len=RESULT_ARITY)
    resume_site(m, jump_to_parent(m, index, RETURN), RETURN)


def unwind(m: Machine, message: str, catcher: int | None) -> None:
    """A trap (`catcher` None) or exception leaves the running stack (§3.8).

    An exception is caught by the try_table `catcher` stacks up the chain;
    negative means nowhere.  v48 bubbles through Trapped continuations; v44
    turns the trap into a return or jumps through a stale trap handler.
    """
    while catcher != 0:
        stack = m.running
        target = m.vmctx.entry_trap_handler
        m.unwinds.append(record_of(Unwind, message, stack, target))
        if target != stack or m.vmctx.entry_sp != stack:
            raise UndefinedBehaviour(
                f"a trap on {stack} unwinds to the trap handler saved by {target}'s trampoline"
                " (#13298)"
            )
        if stack.kind == ChainKind.INITIAL_STACK:
            exit_activation(m, message)
            return
        index = stack.index
        if not m.v48:
            m.set_cont(index, args_len=RESULT_ARITY)
            m.outcome.append(f"the trap in {stack} is delivered as a normal return (v44, #13028)")
            resume_site(m, jump_to_parent(m, index, RETURN), RETURN)
            return
        resume_site(m, jump_to_parent(m, index, TRAP), TRAP)
        if catcher is not None and catcher > 0:
            catcher -= 1
    m.outcome.append(f"exception caught by a try_table in {m.running}")


def enter_activation(m: Machine, caller: Link) -> None:
    """`invoke_wasm_and_catch_traps` and `EntryStoreContext::enter_wasm` (§2.11, §3.9)."""
    new = initial_stack(len(m.acts))
    # v44 stores the new chain, then saves the store's (now new) chain: #13322.
    saved_chain = m.chain if m.v48 else new
    m.acts.append(Activation(running_default(), caller, saved_chain, m.vmctx))
    m.chain = new
    m.running = new
    if caller.kind == ChainKind.ABSENT:
        m.vmctx = m.vmctx._replace(stack_limit=HOST_STACK)
    m.enter_trampoline(new)
    m.outcome.append(f"the host entered wasm on {new}; saved store chain {saved_chain}")


def exit_activation(m: Machine, trap: str = "") -> None:
    """`EntryStoreContext::exit_wasm`: restore the saved chain and entry fields."""
    act = m.acts.pop()
    saved = act.saved_chain
    if saved.kind == ChainKind.INITIAL_STACK and saved.index >= len(m.acts):
        saved = DEAD_INITIAL_STACK
    m.chain = saved
    m.vmctx = act.saved_limits
    m.running = act.caller
    if not trap:
        m.outcome.append(f"returned to the host; store chain is now {saved}")
    elif m.acts:
        m.host_error = trap
        m.outcome.append(f"the host function receives the trap '{trap}'")
    else:
        m.host_trap = trap
        m.outcome.append(f"the embedder receives the trap '{trap}'")
