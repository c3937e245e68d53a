// What is wrong with staff input, line by line: the relink command and the desk both show it, each in its own way.

/** One problem with the input; `line` for a batch file row (1 = the header). */
export interface Problem {
  line?: number;
  message: string;
}

/** Input refused before anything is contacted, with every problem found. */
export class InvalidInput extends Error {
  constructor(
    message: string,
    readonly problems: Problem[],
    /** True when the file could not be read as CSV at all, rather than having bad lines. */
    readonly unreadable = false,
  ) {
    super(message);
  }
}
