// ErrorRecord and the exceptions the engine throws, with PowerShell's concise and normal views.

import type { Extent } from '../language/ast';

/** System.Management.Automation.ErrorCategory names used by the project. */
export type ErrorCategory =
  | 'NotSpecified' | 'OpenError' | 'CloseError' | 'DeviceError' | 'DeadlockDetected'
  | 'InvalidArgument' | 'InvalidData' | 'InvalidOperation' | 'InvalidResult' | 'InvalidType'
  | 'MetadataError' | 'NotImplemented' | 'NotInstalled' | 'ObjectNotFound' | 'OperationStopped'
  | 'OperationTimeout' | 'SyntaxError' | 'ParserError' | 'PermissionDenied' | 'ResourceBusy'
  | 'ResourceExists' | 'ResourceUnavailable' | 'ReadError' | 'WriteError' | 'FromStdErr'
  | 'SecurityError' | 'ProtocolError' | 'ConnectionError' | 'AuthenticationError'
  | 'LimitsExceeded' | 'QuotaExceeded' | 'NotEnabled';

/** Where an error happened, for the normal view's `At line:… char:…` block. */
export interface InvocationInfo {
  commandName: string | null;
  extent: Extent | null;
  scriptName: string | null;
}

export class ErrorRecord {
  /** The exception's message and .NET type name (e.g. 'System.Management.Automation.ParameterBindingException'). */
  readonly message: string;
  readonly exceptionType: string;
  /** FullyQualifiedErrorId, e.g. `NamedParameterNotFound,Get-ContainerImage`. */
  fullyQualifiedErrorId: string;
  readonly category: ErrorCategory;
  readonly targetObject: unknown;
  invocationInfo: InvocationInfo | null;
  /** The JS error behind it, if any (never printed; kept for debugging). */
  readonly cause: unknown;

  constructor(init: {
    message: string;
    errorId: string;
    category?: ErrorCategory;
    exceptionType?: string;
    targetObject?: unknown;
    invocationInfo?: InvocationInfo | null;
    cause?: unknown;
  }) {
    this.message = init.message;
    this.fullyQualifiedErrorId = init.errorId;
    this.category = init.category ?? 'NotSpecified';
    this.exceptionType = init.exceptionType ?? 'System.Exception';
    this.targetObject = init.targetObject ?? null;
    this.invocationInfo = init.invocationInfo ?? null;
    this.cause = init.cause;
  }

  /** `ObjectNotFound: (Foo-Bar:String) [], CommandNotFoundException` */
  categoryInfo(): string {
    const target = this.targetObject === null || this.targetObject === undefined ? '' : String(this.targetObject);
    const targetType = target === '' ? '' : typeof this.targetObject === 'string' ? 'String' : 'Object';
    const activity = this.invocationInfo?.commandName ?? '';
    const exShort = this.exceptionType.slice(this.exceptionType.lastIndexOf('.') + 1);
    return `${this.category}: (${target}:${targetType}) [${activity}], ${exShort}`;
  }

  toString(): string {
    return this.message;
  }
}

/**
 * A terminating error travelling up the JS stack: thrown by throwTerminating, by `throw` in a
 * script, and by the binder. try/catch in scripts catches it; the host prints its record.
 */
export class RuntimeException extends Error {
  /**
   * Statement-terminating errors (a cmdlet's ThrowTerminatingError, binding errors) end one
   * statement and the script goes on; script-terminating ones (`throw`, -ErrorAction Stop) end
   * the script unless a try/catch takes them.
   */
  constructor(
    readonly record: ErrorRecord,
    readonly scriptTerminating = false,
  ) {
    super(record.message);
  }
}

/** Thrown downstream to stop the commands upstream early (Select-Object -First). */
export class StopUpstreamException extends Error {
  constructor(readonly origin: object) {
    super('The pipeline has been stopped.');
  }
}

/** The `ConciseView` of pwsh 7: `Get-Foo: message`. */
export function formatConcise(record: ErrorRecord): string {
  const cmd = record.invocationInfo?.commandName;
  return cmd ? `${cmd}: ${record.message}` : record.message;
}

/**
 * The `NormalView` (Windows PowerShell's classic form):
 *   Get-Foo : message
 *   At line:1 char:1
 *   + Get-Foo -Nmae x
 *   + ~~~~~~~~~~~~~~~
 *       + CategoryInfo          : …
 *       + FullyQualifiedErrorId : …
 */
export function formatNormal(record: ErrorRecord): string {
  const cmd = record.invocationInfo?.commandName;
  const lines = [cmd ? `${cmd} : ${record.message}` : record.message];
  const extent = record.invocationInfo?.extent;
  if (extent) {
    const where = record.invocationInfo?.scriptName ? `${record.invocationInfo.scriptName}:${extent.start.line}` : `line:${extent.start.line}`;
    lines.push(`At ${where} char:${extent.start.column}`);
    const first = extent.text.split('\n')[0];
    lines.push(`+ ${' '.repeat(0)}${first}`);
    lines.push(`+ ${'~'.repeat(Math.max(1, first.length))}`);
  }
  lines.push(`    + CategoryInfo          : ${record.categoryInfo()}`);
  lines.push(`    + FullyQualifiedErrorId : ${record.fullyQualifiedErrorId}`);
  return lines.join('\n');
}
