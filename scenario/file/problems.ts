/**
 * Problems in a user's file, each at FILE:LINE:COLUMN, and the list that
 * collects them so that a file with several mistakes is reported with all of
 * them at once, in line order, instead of one per attempt.
 */

/** One problem of a file. Line 0: the file as a whole (missing, a folder, a device). */
export interface FileProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Bad input in a user's file, worded for the person who wrote it. */
export class InputFileError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly problem: string) {
    super(line > 0 ? `${file}:${line}:${column}: ${problem}` : `${file}: ${problem}`);
  }
}

/**
 * Every problem found in a file (or in the files it led to), in line order.
 * It is an InputFileError whose file, line, column and problem are the first
 * problem's, so code that reports one error keeps working; its message lists
 * them all, one FILE:LINE:COLUMN: line each.
 */
export class InputFileErrors extends InputFileError {
  readonly problems: readonly FileProblem[];
  constructor(problems: FileProblem[]) {
    if (!problems.length) throw new Error('InputFileErrors needs at least one problem');
    const first = problems[0];
    super(first.file, first.line, first.column, first.message);
    this.problems = problems;
    this.message = problems.map(formatProblem).join('\n');
  }
}

/** FILE:LINE:COLUMN: message (FILE: message for the file as a whole). */
export function formatProblem(p: FileProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.column}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** The problems an error stands for: all of an InputFileErrors, or the one of an InputFileError. */
export function problemsOf(e: InputFileError): FileProblem[] {
  return e instanceof InputFileErrors ? [...e.problems] : [{ file: e.file, line: e.line, column: e.column, message: e.problem }];
}

/**
 * Thrown where a check cannot be made because of a problem already recorded
 * (a symbol looked up in an image that could not be read): the list drops it,
 * so one mistake is reported once, not again by everything that depends on it.
 */
export class FollowsFromEarlierProblem extends Error {}

/** Problems collected while a file is checked; thrown together at the end. */
export class ProblemList {
  private readonly list: FileProblem[] = [];

  get length(): number { return this.list.length; }

  add(e: InputFileError): void {
    this.list.push(...problemsOf(e));
  }

  /**
   * Runs a check; an InputFileError it throws is recorded (and undefined
   * returned) so the checks after it still run. Any other error is a bug and
   * passes through.
   */
  attempt<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (e) {
      if (e instanceof FollowsFromEarlierProblem) return undefined;
      if (!(e instanceof InputFileError)) throw e;
      this.add(e);
      return undefined;
    }
  }

  /** The problems in line order (problems of the file as a whole first), each once. */
  sorted(): FileProblem[] {
    const seen = new Set<string>();
    const files = [...new Set(this.list.map((p) => p.file))];
    return this.list
      .map((p, i) => ({ p, i }))
      .sort((a, b) => files.indexOf(a.p.file) - files.indexOf(b.p.file) || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
      .map(({ p }) => p)
      .filter((p) => {
        const key = formatProblem(p);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }

  /** Throws InputFileErrors with every problem recorded, if there is any. */
  throwIfAny(): void {
    if (this.list.length) throw new InputFileErrors(this.sorted());
  }
}
