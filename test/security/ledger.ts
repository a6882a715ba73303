/**
 * What a security test tried and what held, printed at the end of its file (issue 11 item 8): one line per attack, with
 * the defence expected and the answer observed. `failures()` is what a test asserts is empty, so every line is checked
 * and the print shows the whole picture even when one fails.
 */
export interface Attempt {
  attack: string;
  expected: string;
  observed: string;
  held: boolean;
}

export class Ledger {
  private readonly attempts: Attempt[] = [];
  constructor(private readonly title: string) {}

  /** Records one attack; `held` when what was observed is what the defence should give. */
  record(attack: string, expected: string, observed: string, held = observed === expected): boolean {
    this.attempts.push({ attack, expected, observed, held });
    return held;
  }

  /** The attacks that got through (or got an answer other than the defence's). */
  failures(): Attempt[] {
    return this.attempts.filter((a) => !a.held);
  }

  print(): void {
    const held = this.attempts.filter((a) => a.held).length;
    const lines = this.attempts.map((a) => `${a.held ? 'held  ' : 'BROKEN'} ${a.attack} → ${a.observed}${a.held ? '' : ` (expected ${a.expected})`}`);
    console.log(`security: ${this.title}: ${held}/${this.attempts.length} held\n${lines.join('\n')}`);
  }
}

/** The first error's code of a GraphQL answer (NO_CODE for an error without one), or OK without errors. */
export const outcome = (r: { errors?: readonly { extensions?: { code?: unknown } }[] }): string => {
  if (!r.errors?.length) return 'OK';
  const code = r.errors[0].extensions?.code;
  return typeof code === 'string' ? code : 'NO_CODE';
};
