/**
 * A minimal, safe unpickler (Python's pickle format, protocols 2–5 as `torch.save` writes them: 2 by default) that
 * never executes anything: globals resolve only to the callables and names its caller allows
 * (an allow-list), persistent ids go to the caller's `persistentLoad`, and every other global is an
 * error that names it. Iterative, bounds-checked, O(pickle size).
 *
 * Why not a library: the npm pickle parsers were measured (pickleparser 0.2.1, the most used):
 * it decodes LONG1 as unsigned (−2^40 reads as 280375465082880), pushes `undefined` for a missing
 * memo entry or an empty stack instead of failing, builds dicts as plain objects (a `__proto__` key
 * rewrites the prototype), gives no byte offsets in its errors, and has had no release since its
 * first day (Dec 2024); jpickle is older still. None refuses unknown globals by default.
 *
 * Supported opcodes: PROTO, FRAME, STOP, MARK, POP, POP_MARK, DUP, memo (BINPUT, LONG_BINPUT,
 * MEMOIZE, BINGET, LONG_BINGET), NONE, NEWTRUE, NEWFALSE, BININT, BININT1, BININT2, LONG1, LONG4,
 * BINFLOAT, BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINSTRING, SHORT_BINSTRING, BINBYTES,
 * SHORT_BINBYTES, tuples (EMPTY_TUPLE, TUPLE, TUPLE1–3), lists (EMPTY_LIST, LIST, APPEND, APPENDS),
 * dicts (EMPTY_DICT, DICT, SETITEM, SETITEMS), GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ, BUILD (on dicts
 * only: the instance attributes of an OrderedDict, such as a state dict's `_metadata`, are dropped),
 * BINPERSID. Everything else (protocol-0 text opcodes, sets, extensions, INST/OBJ, out-of-band
 * buffers) is refused with its byte offset.
 *
 * Python values map to: None → null, bool → boolean, int → number (bigint beyond ±2^53), float →
 * number, str → string, bytes → Uint8Array (a view into the pickle), list and tuple → array,
 * dict → Map (keys must be None, bool, int, float or str).
 */

/** A global (module.name) the caller allowed as a plain value (a storage type, say). */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A value a caller's callable produced (a tensor, a storage): opaque to the unpickler. */
export interface PickleObject {
  readonly pickleKind: string;
}

export type PickleKey = null | boolean | number | bigint | string;
export type PickleValue = PickleKey | Uint8Array | PickleValue[] | PickleDict | PickleGlobal | PickleObject;
export type PickleDict = Map<PickleKey, PickleValue>;

/** A callable the pickle may invoke through REDUCE or NEWOBJ, by "module.name". */
export type PickleCallable = (args: PickleValue[], where: string) => PickleValue;

export interface UnpickleOptions {
  /** Prefixes every error (who speaks, the file, the member). */
  readonly where: string;
  /** Globals the pickle may call, by "module.name". */
  readonly callables: Readonly<Record<string, PickleCallable>>;
  /** Globals the pickle may name without calling them (e.g. "torch.FloatStorage"). */
  readonly names: ReadonlySet<string>;
  /** Resolves a BINPERSID id; absent → persistent ids are refused. */
  readonly persistentLoad?: (pid: PickleValue, where: string) => PickleValue;
}

const MARK = Symbol("mark");
type StackItem = PickleValue | typeof MARK;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isKey(v: PickleValue): v is PickleKey {
  return v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || typeof v === "string";
}

/** A short description of a value's type for errors. */
export function pickleTypeName(v: PickleValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || typeof v === "bigint") return "number";
  if (typeof v === "string") return "str";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "list or tuple";
  if (v instanceof Map) return "dict";
  if (v instanceof PickleGlobal) return `global ${v.qualifiedName}`;
  return v.pickleKind;
}

/**
 * Unpickles `bytes` under `options`' allow-lists.
 * @throws on any unsupported opcode, disallowed global, truncated or inconsistent stream (stack
 *   underflow, missing MARK or memo entry, bad UTF-8), and on data after STOP.
 * @example unpickle(bytes, { where: "io/torch: a.pt", callables: {}, names: new Set() });
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  const where = `${options.where}: pickle`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let opAt = 0;
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg} (opcode at byte ${opAt})`);
  };
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) fail(`truncated: needs ${n} more bytes at byte ${pos}, the pickle has ${bytes.length}`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const i32 = () => (need(4), (pos += 4), dv.getInt32(pos - 4, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} exceeds the pickle's ${bytes.length} bytes`);
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const text = (n: number) => {
    try {
      return utf8.decode(take(n));
    } catch {
      return fail("string is not valid UTF-8");
    }
  };
  const latin1 = (n: number) => {
    const b = take(n);
    return Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail("truncated: unterminated line");
    const s = latin1(end - pos);
    pos++;
    return s;
  };
  /** Two's-complement little-endian integer of LONG1/LONG4. */
  const long = (n: number): number | bigint => {
    const b = take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  let stack: StackItem[] = [];
  const metastack: StackItem[][] = [];
  const memo = new Map<number, PickleValue>();
  const pop = (): PickleValue => {
    if (stack.length === 0) fail("stack underflow");
    const v = stack.pop() as StackItem;
    if (v === MARK) fail("unexpected MARK on the stack");
    return v as PickleValue;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (stack.length === 0 || v === MARK) fail("stack underflow");
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const items = stack;
    if (metastack.length === 0) fail("no MARK to pop to");
    stack = metastack.pop() as StackItem[];
    if (items.includes(MARK)) fail("unexpected MARK on the stack");
    return items as PickleValue[];
  };
  const setItem = (dict: PickleValue, k: PickleValue, v: PickleValue) => {
    if (!(dict instanceof Map)) return fail(`SETITEM(S) on a ${pickleTypeName(dict)}, not a dict`);
    if (!isKey(k)) return fail(`dict key of type ${pickleTypeName(k)} is not supported`);
    dict.set(k, v);
  };
  const resolveGlobal = (module: string, name: string): PickleValue => {
    const q = `${module}.${name}`;
    if (q in options.callables || options.names.has(q)) return new PickleGlobal(module, name);
    return fail(`global '${q}' is not allowed (allowed: ${[...Object.keys(options.callables), ...options.names].join(", ")}); nothing in the file is executed`);
  };
  const call = (fn: PickleValue, args: PickleValue, op: string): PickleValue => {
    if (!(fn instanceof PickleGlobal)) return fail(`${op} on a ${pickleTypeName(fn)}, not a global`);
    const f = Object.prototype.hasOwnProperty.call(options.callables, fn.qualifiedName) ? options.callables[fn.qualifiedName] : undefined;
    if (!f) return fail(`${op} of '${fn.qualifiedName}', which is allowed only as a name, not as a callable`);
    if (!Array.isArray(args)) return fail(`${op} of '${fn.qualifiedName}' with arguments of type ${pickleTypeName(args)}, not a tuple`);
    return f(args, `${where}: ${fn.qualifiedName}`);
  };

  while (true) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: {
        // PROTO
        const v = u8();
        if (v < 2 || v > 5) fail(`pickle protocol ${v} is not supported (2–5)`);
        break;
      }
      case 0x95: // FRAME: a length hint only
        need(8);
        pos += 8;
        break;
      case 0x2e: {
        // STOP
        const v = pop();
        if (stack.length > 0 || metastack.length > 0) fail("stack not empty at STOP");
        if (pos !== bytes.length) fail(`${bytes.length - pos} bytes after STOP`);
        return v;
      }
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length > 0 && stack[stack.length - 1] === MARK) stack.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`memo entry ${i} was never stored`);
        stack.push(memo.get(i) as PickleValue);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(long(u8()));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0) fail(`negative LONG4 length ${n}`);
        stack.push(long(n));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x54: {
        // BINSTRING (Python 2 str, read as Latin-1)
        const n = i32();
        if (n < 0) fail(`negative BINSTRING length ${n}`);
        stack.push(latin1(n));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1(u8()));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: {
        // TUPLE (popMark replaces `stack`: read it before pushing)
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail(`APPEND to a ${pickleTypeName(list)}, not a list`);
        (list as PickleValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail(`APPENDS to a ${pickleTypeName(list)}, not a list`);
        for (const v of items) (list as PickleValue[]).push(v);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        if (items.length % 2 !== 0) fail("DICT with an odd number of items");
        const d: PickleDict = new Map();
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) fail("SETITEMS with an odd number of items");
        const d = top();
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL needs two strings");
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args, "REDUCE"));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args), the same allow-list as REDUCE
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args, "NEWOBJ"));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (!(obj instanceof Map)) fail(`BUILD on a ${pickleTypeName(obj)} is not supported`);
        if (state !== null && !(state instanceof Map)) fail(`BUILD with a state of type ${pickleTypeName(state)} is not supported`);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail("persistent ids are not supported here");
        stack.push((options.persistentLoad as NonNullable<UnpickleOptions["persistentLoad"]>)(pid, where));
        break;
      }
      default:
        fail(`unsupported opcode 0x${op.toString(16).padStart(2, "0")} ('${String.fromCharCode(op)}')`);
    }
  }
}
