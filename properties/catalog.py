"""Every property contcheck checks, with its statement and source (docs/semantics.md §4).

Sources cite Wasmtime v44.0.0 `crates/wasmtime/src/runtime/vm/stack_switching.rs`
unless they name another file or v48 (tag v48.0.0); a bare §N is a section of
docs/semantics.md, the project's semantic reference.
"""

from __future__ import annotations

from contcheck.model import Kind, Version

from . import invariants as inv
from . import safety, transitions
from .registry import Property, Unmodelled, sort_key

V48_ONLY = frozenset({Version.V48})

PROPERTIES: tuple[Property, ...] = (
    Property(
        "I1",
        "The store chain is zero or more continuations, then the live initial stack of the innermost activation; never Absent.",
        "doc stack_switching.rs:375-381 (docs/semantics.md §4 I1)",
        inv.i1_store_chain_shape,
    ),
    Property(
        "I2",
        "A suspended continuation's chain ends in Absent; suspended continuations are on no active chain.",
        "doc stack_switching.rs:383-386 (docs/semantics.md §4 I2)",
        inv.i2_suspended_chains,
    ),
    Property(
        "I3",
        "An initial stack is always Running or Parent.",
        "doc stack_switching.rs:89-92 (docs/semantics.md §4 I3)",
        inv.i3_initial_stack_state,
    ),
    Property(
        "I4",
        "A handler list is non-empty only while its stack is Parent, and first_switch_handler_index <= its length.",
        "doc stack_switching.rs:94,123 (docs/semantics.md §4 I4)",
        inv.i4_handlers_only_in_parent,
    ),
    Property(
        "I6",
        "A Fresh or Suspended contref's last_ancestor is the chain member whose parent_chain is Absent; Fresh points to itself.",
        "doc stack_switching.rs:199-204; code :315-318 (docs/semantics.md §4 I6)",
        inv.i6_last_ancestor,
    ),
    Property(
        "I7",
        "The live limits in VMStoreContext are the running stack's: stack_limit guards its native stack, entry_fp is its trampoline frame.",
        "doc stack_switching.rs:399-406 (docs/semantics.md §4 I7)",
        inv.i7_live_limits,
    ),
    Property(
        "I8",
        "Every non-head member of an active chain has valid saved limits (v44: stack_limit, entry_fp; v48: all four).",
        "doc stack_switching.rs:408-413 (docs/semantics.md §4 I8)",
        inv.i8_parent_limits,
    ),
    Property(
        "I9",
        "Suspended chains keep valid stack_limit and entry_fp; a Fresh contref's entry fields are 0.",
        "doc stack_switching.rs:415-426 (docs/semantics.md §4 I9)",
        inv.i9_suspended_limits,
    ),
    Property(
        "I10",
        "Linearity: consuming a handle (cont.bind, resume, resume_throw, switch target) bumps exactly that revision by 1; minted handles carry the current revision.",
        "doc stack_switching.rs:10-14; code §3 (docs/semantics.md §4 I10)",
        transition_check=transitions.i10_linearity,
    ),
    Property(
        "I11",
        "A valid handle points to a lone Fresh contref or to the head of a suspended chain.",
        "code: revision bumped whenever a continuation becomes Running (docs/semantics.md §4 I11)",
        inv.i11_valid_handles,
    ),
    Property(
        "I12",
        "A stack that is not Parent has an empty handler list and first_switch_handler_index 0.",
        "code instructions.rs:1374,1434-1436 (docs/semantics.md §4 I12)",
        inv.i12_no_stale_handler_list,
    ),
    Property(
        "I13",
        "Fresh, Running and Parent contrefs hold no unconsumed values (every consumer clears the buffer).",
        "code instructions.rs:1541,1675,1913 (docs/semantics.md §4 I13)",
        inv.i13_values_consumed,
    ),
    Property(
        "I14",
        "Each activation has exactly one Running stack, the head of its chain (the store chain's head for the innermost); the rest of each chain is Parent.",
        "code §3.3 step 9, §3.5 step 11, §3.9 (docs/semantics.md §4 I14)",
        inv.i14_one_running_stack,
    ),
    Property(
        "I15",
        "Control contexts: an active member holds its parent's resume point; a suspended chain's end holds the head's suspension point; Fresh holds the launchpad.",
        "code §2.9 (docs/semantics.md §4 I15)",
        inv.i15_control_contexts,
    ),
    Property(
        "I16",
        "Chains are acyclic and pairwise disjoint.",
        "code, follows from I11 (docs/semantics.md §4 I16)",
        inv.i16_chains_disjoint,
    ),
    Property(
        "I17",
        "Only the state changes of §4 I17 happen; Returned and Trapped are terminal; an initial stack only alternates Running/Parent.",
        "code §3 (docs/semantics.md §4 I17)",
        transition_check=transitions.i17_state_transitions,
        event_field="state_changes",
    ),
    Property(
        "I18",
        "A live contref's saved stack_limit is the one cont.new set (its own stack).",
        "code instructions.rs:1472,1765 (docs/semantics.md §4 I18)",
        inv.i18_fixed_stack_limit,
    ),
    Property(
        "I19",
        "Resume sites receive only RETURN, SUSPEND, TRAP; suspend/switch sites and launchpads only RESUME, SWITCH, RESUME_THROW.",
        "code §2.10 (docs/semantics.md §4 I19)",
        transition_check=transitions.i19_payload_routing,
        event_field="deliveries",
    ),
    Property(
        "I21",
        "A handler search finds the innermost stack with a clause of the right kind for the tag, at the lowest index.",
        "code instructions.rs:1009-1180; Explainer :1040-1046 (docs/semantics.md §4 I21)",
        transition_check=transitions.i21_search_order,
        event_field="search",
    ),
    Property(
        "I22",
        "Host frames are suspension barriers: every activation starts its own initial stack with no handlers.",
        "code func.rs:1568-1569 (docs/semantics.md §4 I22)",
        transition_check=transitions.i22_host_barrier,
        after_kinds=frozenset({Kind.HOST_CALL, Kind.HOST_INVOKE}),
    ),
    Property(
        "I23",
        "last_wasm_entry_sp and last_wasm_entry_trap_handler belong to the running stack's entry trampoline.",
        "code: v48 RESTORE_LIMITS covers 4 fields (docs/semantics.md §4 I23, v48 only)",
        inv.i23_entry_fields_owned,
        versions=V48_ONLY,
    ),
    Property(
        "I25",
        "Returned implies empty args; Trapped implies empty args and values.",
        "code instructions.rs:1599; v48 :1699-1701,1522-1523 (docs/semantics.md §4 I25)",
        inv.i25_terminal_buffers,
    ),
    Property(
        "S0",
        "The runtime never reaches undefined behaviour or a panic (stale jumps, dead frames, assertion failures).",
        "docs/semantics.md Appendix A, error states",
        inv.s0_no_undefined_behaviour,
    ),
    Property(
        "S1",
        "A trap raised while a continuation runs never reaches its resumer as a normal return.",
        "docs/semantics.md §3.8, §5.2; #13028",
        transition_check=safety.s1_trap_never_returns,
        event_field="unwinds",
    ),
    Property(
        "S2",
        "A trap always unwinds to the entry trap handler of the stack that is running.",
        "docs/semantics.md §3.8, §5.1; #13298, #13584",
        transition_check=safety.s2_trap_handler_of_running_stack,
        event_field="unwinds",
    ),
    Property(
        "S3",
        "When a host call that re-entered wasm returns, the store's stack chain is what it was before the call.",
        "docs/semantics.md §2.11, §3.9, §5.3; #13322",
        transition_check=safety.s3_host_return_restores_chain,
    ),
    Property(
        "S4",
        "Every handler search terminates: the chain it walks reaches an initial stack without a cycle.",
        "docs/semantics.md §3.0 SEARCH, §5.5-5.6",
        transition_check=safety.s4_search_terminates,
        after_kinds=frozenset({Kind.SUSPEND, Kind.SWITCH}),
    ),
    Property(
        "S5",
        "GC root tracing finds every suspended continuation's chain in the shape the walk assumes.",
        "docs/semantics.md §3.11; backtrace.rs:343 (v44), :340 (v48); #14239",
        transition_check=safety.s5_gc_walk_shape,
        after_kinds=frozenset({Kind.GC}),
    ),
)

UNMODELLED: tuple[Unmodelled, ...] = (
    Unmodelled(
        "I5",
        "Handler-list and values buffers live on the stack the CSI describes.",
        "buffer addresses are not modelled; only their lengths are",
    ),
    Unmodelled(
        "I20",
        "VMContRef addresses are stable and never reused.",
        "holds by construction: the model only ever appends contrefs (it is what makes the revision abstraction sound)",
    ),
    Unmodelled(
        "I24",
        "max_wasm_stack <= async_stack_size.",
        "engine configuration, checked by Engine::new; stack sizes are not modelled",
    ),
)


def by_id(ids: list[str] | None, version: Version) -> list[Property]:
    """The properties to check, in ID order; unknown IDs raise KeyError."""
    table = {p.id: p for p in PROPERTIES}
    chosen = [table[i] for i in ids] if ids else list(PROPERTIES)
    return sorted((p for p in chosen if p.applies_to(version)), key=lambda p: sort_key(p.id))
