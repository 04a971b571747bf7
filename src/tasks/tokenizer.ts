/**
 * Character-level tokenizer with named special tokens.
 *
 * Id layout (fixed, so a checkpoint's tokenizer is just its alphabet and specials):
 *   0 `<pad>`, 1 `<bos>`, 2 `<eos>`, then the task specials in the order given (e.g. `<wait>`, `<a>`), then one id per
 *   alphabet character in the order given.
 * Specials are written in text as their full name (`<wait>`), which `encode` maps to one id; this is why the alphabet
 * may not contain `<`. `decode` renders every id, specials by name; `decodeCompletion` is the one to use on sampled
 * completions: it stops at the first `<eos>` (excluded) and is what a task's `evaluate` receives.
 */

export interface TokenizerJSON {
  /** Ordinary characters, one token each, in id order. */
  alphabet: string;
  /** Task specials (not `<pad>`, `<bos>`, `<eos>`), in id order. */
  specials: string[];
}

const RESERVED = ['<pad>', '<bos>', '<eos>'] as const;
const SPECIAL_NAME = /^<[A-Za-z0-9_]+>$/;

export class Tokenizer {
  static readonly PAD = 0;
  static readonly BOS = 1;
  static readonly EOS = 2;

  readonly alphabet: string;
  readonly specials: readonly string[];
  readonly vocabSize: number;
  private readonly names: string[]; // id -> rendered token
  private readonly charIds = new Map<string, number>();
  private readonly specialIds = new Map<string, number>();

  /**
   * @param alphabet ordinary characters (no duplicates, no `<`, no surrogate pairs)
   * @param specials task specials such as `<wait>`; each matches /^<[A-Za-z0-9_]+>$/ and is not a reserved name
   */
  constructor(alphabet: string, specials: readonly string[] = []) {
    if (typeof alphabet !== 'string' || alphabet.length === 0) {
      throw new Error(`Tokenizer: alphabet must be a non-empty string, got ${JSON.stringify(alphabet)}`);
    }
    this.names = [...RESERVED];
    for (const [i, s] of specials.entries()) {
      if (typeof s !== 'string' || !SPECIAL_NAME.test(s)) {
        throw new Error(`Tokenizer: specials[${i}] must look like <name> (letters, digits, _), got ${JSON.stringify(s)}`);
      }
      if ((RESERVED as readonly string[]).includes(s)) {
        throw new Error(`Tokenizer: specials[${i}] ${s} is reserved (${RESERVED.join(', ')} are always present)`);
      }
      if (this.specialIds.has(s)) throw new Error(`Tokenizer: specials[${i}] ${s} is listed twice`);
      this.specialIds.set(s, this.names.length);
      this.names.push(s);
    }
    for (let i = 0; i < alphabet.length; i++) {
      const c = alphabet[i]!;
      const code = c.charCodeAt(0);
      if (c === '<') throw new Error(`Tokenizer: alphabet[${i}] is '<', which is reserved to open special token names`);
      if (code >= 0xd800 && code <= 0xdfff) {
        throw new Error(`Tokenizer: alphabet[${i}] is half of a surrogate pair; only single UTF-16 units are allowed`);
      }
      if (this.charIds.has(c)) throw new Error(`Tokenizer: alphabet[${i}] ${JSON.stringify(c)} is listed twice`);
      this.charIds.set(c, this.names.length);
      this.names.push(c);
    }
    for (const s of RESERVED) this.specialIds.set(s, this.names.indexOf(s));
    this.alphabet = alphabet;
    this.specials = [...specials];
    this.vocabSize = this.names.length;
  }

  /**
   * The smallest tokenizer covering several tasks: the union of their alphabets and specials, each sorted, so the
   * ids do not depend on the order the tasks are listed in.
   */
  static forTasks(tasks: readonly { alphabet: string; specials: readonly string[] }[]): Tokenizer {
    if (tasks.length === 0) throw new Error('Tokenizer.forTasks: tasks must list at least one task');
    const chars = new Set<string>();
    const specials = new Set<string>();
    for (const t of tasks) {
      for (const c of t.alphabet) chars.add(c);
      for (const s of t.specials) specials.add(s);
    }
    return new Tokenizer([...chars].sort().join(''), [...specials].sort());
  }

  static fromJSON(json: unknown): Tokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (j === null || typeof j !== 'object') throw new Error('Tokenizer.fromJSON: expected an object {alphabet, specials}');
    if (typeof j.alphabet !== 'string') throw new Error('Tokenizer.fromJSON: field alphabet must be a string');
    if (!Array.isArray(j.specials)) throw new Error('Tokenizer.fromJSON: field specials must be an array of strings');
    return new Tokenizer(j.alphabet, j.specials);
  }

  toJSON(): TokenizerJSON {
    return { alphabet: this.alphabet, specials: [...this.specials] };
  }

  /** Same ids for the same tokens (compare before loading weights trained with another tokenizer). */
  equals(other: Tokenizer): boolean {
    return this.names.length === other.names.length && this.names.every((n, i) => n === other.names[i]);
  }

  /** Id of a special token by name, e.g. `id('<wait>')`. */
  id(special: string): number {
    const id = this.specialIds.get(special);
    if (id === undefined) {
      throw new Error(`Tokenizer.id: unknown special ${JSON.stringify(special)}; known: ${[...this.specialIds.keys()].join(', ')}`);
    }
    return id;
  }

  /** The text of one id (a character, or a special's name). */
  token(id: number): string {
    const name = this.names[id];
    if (name === undefined || !Number.isInteger(id)) {
      throw new Error(`Tokenizer.token: id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
    }
    return name;
  }

  /** Text to ids. Special names (`<eos>`, `<wait>`) become one id each; adds no BOS/EOS (see batch.ts). */
  encode(text: string): Int32Array {
    const out: number[] = [];
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '<') {
        const end = text.indexOf('>', i);
        const name = end < 0 ? text.slice(i) : text.slice(i, end + 1);
        const id = this.specialIds.get(name);
        if (id === undefined) {
          throw new Error(
            `Tokenizer.encode: unknown special token ${JSON.stringify(name)} at position ${i} in ${JSON.stringify(text)}; ` +
              `known: ${[...this.specialIds.keys()].join(', ')}`,
          );
        }
        out.push(id);
        i += name.length;
        continue;
      }
      const id = this.charIds.get(c);
      if (id === undefined) {
        const code = c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
        throw new Error(
          `Tokenizer.encode: unknown character ${JSON.stringify(c)} (U+${code}) at position ${i} in ${JSON.stringify(text)}; ` +
            `alphabet is ${JSON.stringify(this.alphabet)}`,
        );
      }
      out.push(id);
      i++;
    }
    return Int32Array.from(out);
  }

  /** Ids to text, every id rendered (specials by name, including `<pad>`, `<bos>` and `<eos>`). */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.token(ids[i]!);
    return s;
  }

  /**
   * A sampled completion's text: the ids before the first `<eos>` (excluded). Without an `<eos>` (the sampler hit its
   * length limit) it is the whole sequence; the task then judges that text like any other.
   */
  decodeCompletion(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === Tokenizer.EOS) break;
      s += this.token(id);
    }
    return s;
  }
}
