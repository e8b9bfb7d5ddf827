"""A script as a WebAssembly text module and its `.wast` directives (issue 6).

The module is one interpreter that every stack runs: the initial stack when
the embedder calls `run`, contref kn in its own function `$body_n`.  Each
stack fetches the next script entry and performs it; control-transferring
entries run at sites that log where control lands.

Types.  One recursive continuation type, `$ct = cont [(ref null $ct)] ->
[(ref null $ct)]`, serves every continuation, and every tag has type
`[] -> [(ref null $ct)]`, so one tag works both for `suspend` (the handler's
continuation is a `$ct` again) and for `switch` (whose tag results must be
the continuations' results).  `switch` hands the switcher to the switchee as
the `(ref null $ct)` argument; `resume` passes null, so a function start or
a suspension site tells the two apart.

Payloads.  The model gives every continuation two parameters, binds one with
`cont.bind` and carries one value per suspend (model/instructions.py: ARITY,
SUSPEND_ARITY).  Here `cont.bind $ct $ct` binds none and the one parameter is
the switcher slot; payload counts are invisible to wasm and change nothing
in the lifecycle (revisions, states, chains), which is what is compared.

Exceptions.  One tag `$exn`.  Every resume, resume_throw, suspend and
switch site sits in a `try_table (catch_ref $exn)`: a catch with the global
countdown at 0 logs CAUGHT and the stack goes on with the script; otherwise
it counts down and rethrows, so the exception is caught exactly as many
stacks up as the action says.
"""

from __future__ import annotations

from .wasmtime_binary import GC_HEAP
from .wast_events import EventKind, Opcode
from .wast_script import Activation, Clauses, Script

ENTRY_BYTES = 20
EXPECTED_AT = 0x8000  # script at 0; expected and actual logs in 32 KiB regions
LOG_AT = 0x10000
MAX_ENTRIES = EXPECTED_AT // ENTRY_BYTES - 1  # room for the end entry
MAX_EVENTS = (LOG_AT - EXPECTED_AT) // 4
COLLECT_MIB = GC_HEAP * 3 // 2 >> 20  # a GC action's garbage: half again the heap


def module_text(script: Script, number: int = 0) -> str:
    """A self-contained module that performs the script when `run` is
    invoked; `run` first prints `number`, which tells which program of a
    batch was running if the process dies.  A program the model expects to
    end in undefined behaviour echoes every event as it logs it, so the
    events before a crash can still be compared."""
    echo = int(script.activations[-1].outcome == "undefined")
    parts = [
        f"(module  ;; program {number}",
        '  (import "spectest" "print_i32" (func $print (param i32)))',
        '  (import "spectest" "print_i64" (func $print64 (param i64)))',
        _declarations(script),
        f"  (global $number i32 (i32.const {number}))",
        f"  (global $echo i32 (i32.const {echo}))",
        _helpers(),
        _bodies(script.contrefs),
        _interpreter(script),
        _sites(script),
        _checker(),
        _data(script),
        ")",
    ]
    return "\n".join(p for p in parts if p)


def directives(script: Script, activations: list[Activation] | None = None) -> list[str]:
    """The `.wast` commands after the module: one per activation (`run` and
    its outcome), then the event log check; `activations` replaces the
    script's own expectations (a probe with the outcome wasmtime showed)."""
    acts = script.activations if activations is None else activations
    out = [_outcome(act) for act in acts]
    exact = int(script.exact and acts[-1].outcome != "undefined")
    events = acts[-1].events
    out.append(
        f'(assert_return (invoke "check" (i32.const {events}) (i32.const {exact})) (i64.const 0))'
    )
    return out


def _outcome(act: Activation) -> str:
    call = f'(invoke "{act.entry}")'
    if act.outcome == "trap":
        return f'(assert_trap {call} "{act.message}")'
    if act.outcome == "exception":
        return f"(assert_exception {call})"
    if act.outcome == "undefined":
        return f";; the model predicts undefined behaviour: {act.message}\n(assert_return {call})"
    return f"(assert_return {call})"


def _declarations(script: Script) -> str:
    tags = max([t for c in script.resume_sites + script.throw_sites for t in c[0] + c[1]] + [0])
    tags = max([tags] + [e.arg for e in script.entries if e.op in (Opcode.SUSPEND, Opcode.SWITCH)])
    lines = [
        "  (rec (type $ft (func (param (ref null $ct)) (result (ref null $ct))))",
        "       (type $ct (cont $ft)))",
        *[f"  (tag $e{t} (result (ref null $ct)))" for t in range(tags + 1)],
        "  (tag $exn)",
        "  (type $mib (array (mut i8)))",
        "  (memory 3)",
        f"  (table $h {len(script.slots) + 2} (ref null $ct))",
        f"  (table $bodies {max(script.contrefs, 1)} (ref null $ft))",
        "  (global $pc (mut i32) (i32.const 0))  ;; the next entry",
        "  (global $cur (mut i32) (i32.const 0))  ;; the entry being performed",
        "  (global $len (mut i32) (i32.const 0))  ;; events logged",
        "  (global $ended (mut i32) (i32.const 0))",
        "  (global $countdown (mut i32) (i32.const 0))",
    ]
    if script.contrefs:
        refs = " ".join(f"(ref.func $body_{n})" for n in range(script.contrefs))
        lines.append(f"  (elem (table $bodies) (i32.const 0) (ref null $ft) {refs})")
    return "\n".join(lines)


def _helpers() -> str:
    return f"""\
  (func $event (param $kind i32) (param $stack i32) (param $detail i32)
    (if (global.get $ended) (then (return)))
    (if (i32.ge_u (global.get $len) (i32.const {MAX_EVENTS})) (then (return)))
    (i32.store (i32.add (i32.const {LOG_AT}) (i32.shl (global.get $len) (i32.const 2)))
      (i32.or (i32.shl (local.get $kind) (i32.const 16))
        (i32.or (i32.shl (local.get $stack) (i32.const 8)) (local.get $detail))))
    (if (global.get $echo) (then (call $print64 (i64.or (i64.const 0x4000000000000000)
      (i64.or (i64.shl (i64.extend_i32_u (global.get $number)) (i64.const 32))
        (i64.extend_i32_u (i32.load (i32.add (i32.const {LOG_AT})
          (i32.shl (global.get $len) (i32.const 2))))))))))
    (global.set $len (i32.add (global.get $len) (i32.const 1))))
  (func $field (param $i i32) (result i32)
    (i32.load (i32.add (global.get $cur) (i32.shl (local.get $i) (i32.const 2)))))
  (func $operand (result (ref null $ct)) (table.get $h (call $field (i32.const 1))))
  (func $body (result (ref null $ft)) (table.get $bodies (call $field (i32.const 1))))
  ;; a handle wasm receives goes to the slot the entry being performed names
  (func $keep (param $k (ref null $ct)) (table.set $h (call $field (i32.const 4)) (local.get $k)))
  ;; a function start or suspension site: a non-null argument is the switcher
  (func $arrive (param $kind i32) (param $self i32) (param $k (ref null $ct))
    (call $event (local.get $kind) (local.get $self) (i32.eqz (ref.is_null (local.get $k))))
    (if (i32.eqz (ref.is_null (local.get $k))) (then (call $keep (local.get $k)))))
  (func $exception (param $e exnref) (param $self i32)
    (if (i32.eqz (global.get $countdown))
      (then (call $event (i32.const {EventKind.CAUGHT}) (local.get $self) (i32.const 0)) (return)))
    (global.set $countdown (i32.sub (global.get $countdown) (i32.const 1)))
    (throw_ref (local.get $e)))"""


def _bodies(contrefs: int) -> str:
    return "\n".join(
        f"  (func $body_{n} (type $ft)\n"
        f"    (call $arrive (i32.const {EventKind.START}) (i32.const {n + 1}) (local.get 0))\n"
        f"    (call $interp (i32.const {n + 1}))\n"
        "    (ref.null $ct))"
        for n in range(contrefs)
    )


def _interpreter(script: Script) -> str:
    cases = "\n".join(
        f"      (if (i32.eq (local.get $op) (i32.const {op})) (then {_perform(op, script)}))"
        for op in sorted(script.ops)
    )
    return f"""\
  (func $interp (param $self i32)
    (local $op i32)
    (loop $next
      (global.set $cur (global.get $pc))
      (local.set $op (i32.load (global.get $cur)))
      (if (i32.eqz (local.get $op)) (then
        (call $event (i32.const {EventKind.END}) (local.get $self) (i32.const 0))
        (global.set $ended (i32.const 1))
        (return)))
      (global.set $pc (i32.add (global.get $pc) (i32.const {ENTRY_BYTES})))
      (call $event (i32.const {EventKind.STEP}) (local.get $self) (local.get $op))
{cases}
      (br $next)))
  (func (export "run") (call $print (global.get $number)) (call $interp (i32.const 0)))
  (func (export "gc") (call $print (global.get $number)) (call $collect))
  ;; {COLLECT_MIB} MiB of garbage, more than the GC heap holds: a collection
  (func $collect (local $n i32)
    (local.set $n (i32.const {COLLECT_MIB}))
    (loop $more
      (drop (array.new_default $mib (i32.const 1048576)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $more (local.get $n))))"""


def _perform(op: Opcode, script: Script) -> str:
    """The code for one opcode, run by stack `$self`."""
    site = "(call $field (i32.const 2))"
    countdown = "(global.set $countdown (call $field (i32.const 3)))"
    code = {
        Opcode.CONT_NEW: "(call $keep (cont.new $ct (call $body)))",
        Opcode.CONT_NEW_NULL: "(drop (cont.new $ct (ref.null $ft)))",
        Opcode.CONT_BIND: "(call $keep (cont.bind $ct $ct (call $operand)))",
        Opcode.RESUME: f"(call $resume (local.get $self) {site})",
        Opcode.SUSPEND: f"(call $suspend (local.get $self) {site})",
        Opcode.SWITCH: f"(call $switch (local.get $self) {site})",
        Opcode.RESUME_THROW: f"{countdown} (call $resume_throw (local.get $self) {site})",
        Opcode.RESUME_THROW_REF: "(drop (resume_throw_ref $ct (ref.null exn) (call $operand)))",
        Opcode.RETURN: "(return)",
        Opcode.TRAP: "(unreachable)",
        Opcode.THROW: f"{countdown} (throw $exn)",
        Opcode.NOP: "(nop)",
        Opcode.GC: "(call $collect)",
    }
    return code[op]


def _sites(script: Script) -> str:
    ops = script.ops
    tags = sorted({e.arg for e in script.entries if e.op in (Opcode.SUSPEND, Opcode.SWITCH)})
    parts = []
    if Opcode.RESUME in ops:
        parts.append(_dispatch("resume", len(script.resume_sites)))
        parts += [_resume_site("resume", i, c) for i, c in enumerate(script.resume_sites)]
    if Opcode.RESUME_THROW in ops:
        parts.append(_dispatch("resume_throw", len(script.throw_sites)))
        parts += [_resume_site("resume_throw", i, c) for i, c in enumerate(script.throw_sites)]
    for kind in ("suspend", "switch"):
        op = Opcode.SUSPEND if kind == "suspend" else Opcode.SWITCH
        if op in ops:
            parts.append(_dispatch(kind, max(tags) + 1))
            parts += [_suspension_site(kind, t) for t in range(max(tags) + 1)]
    return "\n".join(parts)


def _dispatch(kind: str, count: int) -> str:
    """`$kind` calls site `$kind_i` for the entry's site or tag `i`."""
    calls = "\n".join(
        f"    (if (i32.eq (local.get $i) (i32.const {i}))"
        f" (then (call ${kind}_{i} (local.get $self)) (return)))"
        for i in range(count)
    )
    return f"  (func ${kind} (param $self i32) (param $i i32)\n{calls}\n    (unreachable))"


def _resume_site(kind: str, index: int, clauses: Clauses) -> str:
    """One resume site: a return branch and one branch per suspend clause,
    each logging which was taken; the handler's continuation is kept."""
    on, switch = clauses
    table = " ".join([f"(on $e{t} $clause{i})" for i, t in enumerate(on)])
    table += "".join(f" (on $e{t} switch)" for t in switch)
    arg = "(ref.null $ct) " if kind == "resume" else ""
    instr = f"{kind} $ct{' $exn' if kind == 'resume_throw' else ''} {table}".rstrip()
    inner = (
        f"(try_table (catch_ref $exn $caught)\n"
        f"            (drop ({instr} {arg}(call $operand))))\n"
        f"          (call $event (i32.const {EventKind.RETURNED}) (local.get $self) (i32.const 0))"
        "\n          (br $done)"
    )
    for i in range(len(on)):
        inner = (
            f"(block $clause{i} (result (ref $ct))\n          {inner})\n"
            f"        (call $keep)\n"
            f"        (call $event (i32.const {EventKind.HANDLED}) (local.get $self)"
            f" (i32.const {i}))\n        (br $done)"
        )
    return f"""\
  (func ${kind}_{index} (param $self i32)
    (block $done
      (block $caught (result exnref)
        {inner})
      (call $exception (local.get $self))))"""


def _suspension_site(kind: str, tag: int) -> str:
    instr = f"(suspend $e{tag})" if kind == "suspend" else f"(switch $ct $e{tag} (call $operand))"
    return f"""\
  (func ${kind}_{tag} (param $self i32)
    (block $done
      (block $caught (result exnref)
        (try_table (catch_ref $exn $caught)
          (call $arrive (i32.const {EventKind.WAKE}) (local.get $self) {instr}))
        (br $done))
      (call $exception (local.get $self))))"""


def _checker() -> str:
    """`check n exact` prints the program's number and how many events it
    logged (its evidence of having run), then returns 0 when the first n
    events are as expected (and, if exact, nothing more was logged), else
    (index + 1) << 32 | the word logged there (0xffffffff when the log is
    shorter)."""
    return f"""\
  (func (export "check") (param $n i32) (param $exact i32) (result i64)
    (local $i i32)
    (call $print64 (i64.or (i64.shl (i64.extend_i32_u (global.get $number)) (i64.const 32))
      (i64.extend_i32_u (global.get $len))))
    (block $compared
      (loop $each
        (br_if $compared (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.ge_u (local.get $i) (global.get $len))
          (then (return (call $differs (local.get $i)))))
        (if (i32.ne (call $word (i32.const {EXPECTED_AT}) (local.get $i))
                    (call $word (i32.const {LOG_AT}) (local.get $i)))
          (then (return (call $differs (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (if (i32.and (local.get $exact) (i32.gt_u (global.get $len) (local.get $n)))
      (then (return (call $differs (local.get $n)))))
    (i64.const 0))
  (func $word (param $base i32) (param $i i32) (result i32)
    (i32.load (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2)))))
  (func $differs (param $i i32) (result i64)
    (local $word i64)
    (local.set $word (i64.const 0xffffffff))
    (if (i32.lt_u (local.get $i) (global.get $len))
      (then (local.set $word (i64.extend_i32_u (call $word (i32.const {LOG_AT}) (local.get $i))))))
    (i64.or (i64.shl (i64.extend_i32_u (i32.add (local.get $i) (i32.const 1))) (i64.const 32))
      (local.get $word)))"""


def _data(script: Script) -> str:
    script_bytes = b"".join(_le(w) for e in script.entries for w in e.words()) + _le(0) * 5
    expected = b"".join(_le(e.encode()) for e in script.expected)
    lines = [f"  ;; {e.comment}" for e in script.entries]
    lines.append(f'  (data (i32.const 0) "{_escape(script_bytes)}")')
    if expected:
        lines.append(f"  ;; expected events: {', '.join(str(e) for e in script.expected)}")
        lines.append(f'  (data (i32.const {EXPECTED_AT}) "{_escape(expected)}")')
    return "\n".join(lines)


def _le(word: int) -> bytes:
    return (word & 0xFFFF_FFFF).to_bytes(4, "little")


def _escape(data: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in data)
