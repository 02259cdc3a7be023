// Errors of the OCI library: one class with a stable `code` (for callers that map them to
// ErrorRecords) and a message that names the file, entry or digest concerned.

export class OciError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'OciError';
  }
}

/** A layer tarball entry that must not be extracted (path traversal, absolute path, escaping link). */
export class HostileEntryError extends OciError {
  constructor(readonly entry: string, reason: string) {
    super('HostileEntry', `refusing tar entry ${JSON.stringify(entry)}: ${reason}`);
    this.name = 'HostileEntryError';
  }
}

/** Malformed tar, JSON or layout structure. */
export class OciFormatError extends OciError {
  constructor(message: string) {
    super('InvalidFormat', message);
    this.name = 'OciFormatError';
  }
}
