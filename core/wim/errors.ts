// Errors raised for archives that are malformed, hostile or use features we do not implement.

/**
 * A WIM archive (or an entry in it) failed validation. `entryPath` names the entry when the
 * problem is tied to one ('/' joined, '' for the archive itself); `reason` is the bare cause.
 */
export class WimFormatError extends Error {
  readonly entryPath: string;
  readonly reason: string;

  constructor(reason: string, entryPath = '') {
    super(entryPath ? `Invalid WIM archive: ${entryPath}: ${reason}` : `Invalid WIM archive: ${reason}`);
    this.name = 'WimFormatError';
    this.reason = reason;
    this.entryPath = entryPath;
  }
}

/** A well-formed archive that uses something this library deliberately does not read (LZMS, solid, spanned). */
export class WimUnsupportedError extends WimFormatError {
  constructor(reason: string, entryPath = '') {
    super(`not supported: ${reason}`, entryPath);
    this.name = 'WimUnsupportedError';
  }
}
