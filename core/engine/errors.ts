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
  script: ScriptSource | null;
}

/** The text a script block came from (a file, or the -Command text), for error positions. */
export interface ScriptSource {
  name: string | null;
  text: string;
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
  /** Set for `throw` in a script: the concise view then names it `Exception`. */
  readonly wasThrownFromThrowStatement: boolean;

  constructor(init: {
    message: string;
    errorId: string;
    category?: ErrorCategory;
    exceptionType?: string;
    targetObject?: unknown;
    invocationInfo?: InvocationInfo | null;
    cause?: unknown;
    thrown?: boolean;
  }) {
    this.message = init.message;
    this.fullyQualifiedErrorId = init.errorId;
    this.category = init.category ?? 'NotSpecified';
    this.exceptionType = init.exceptionType ?? 'System.Exception';
    this.targetObject = init.targetObject ?? null;
    this.invocationInfo = init.invocationInfo ?? null;
    this.cause = init.cause;
    this.wasThrownFromThrowStatement = init.thrown ?? false;
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

  /** What scripts read from `$_` in a catch block: `$_.Exception.Message`, `$_.FullyQualifiedErrorId`, … */
  getMember(name: string): unknown {
    switch (name.toLowerCase()) {
      case 'exception':
        return { psTypeName: this.exceptionType, Message: this.message, getMember: (n: string) => (n.toLowerCase() === 'message' ? this.message : undefined), toString: () => this.message };
      case 'fullyqualifiederrorid':
        return this.fullyQualifiedErrorId;
      case 'categoryinfo': {
        const info = this.categoryInfo();
        const exShort = this.exceptionType.slice(this.exceptionType.lastIndexOf('.') + 1);
        const values: Record<string, unknown> = { category: this.category, reason: exShort, activity: this.invocationInfo?.commandName ?? '', targetname: this.targetObject === null ? '' : String(this.targetObject) };
        return { getMember: (n: string) => values[n.toLowerCase()], toString: () => info };
      }
      case 'targetobject':
        return this.targetObject;
      case 'invocationinfo': {
        const ii = this.invocationInfo;
        const values: Record<string, unknown> = {
          mycommand: ii?.commandName ?? null,
          scriptlinenumber: ii?.extent?.start.line ?? 0,
          offsetinline: ii?.extent?.start.column ?? 0,
          scriptname: ii?.script?.name ?? '',
          line: ii?.extent && ii.script ? (ii.script.text.split(/\r?\n/)[ii.extent.start.line - 1] ?? '') : '',
        };
        return { getMember: (n: string) => values[n.toLowerCase()], toString: () => 'System.Management.Automation.InvocationInfo' };
      }
      case 'errordetails':
      case 'scriptstacktrace':
        return null;
    }
    return undefined;
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

/** The source line an extent starts on, and the `~~~` under it, as PowerShell's PositionMessage shows them. */
function positionLines(info: InvocationInfo): { lineNumber: number; line: string; marks: string } | null {
  const extent = info.extent;
  if (!extent) return null;
  const source = info.script?.text;
  const line = source !== undefined ? (source.split(/\r?\n/)[extent.start.line - 1] ?? '') : extent.text.split('\n')[0];
  const startCol = source !== undefined ? extent.start.column - 1 : 0;
  const width = extent.start.line === extent.end.line ? extent.end.column - extent.start.column : line.length - startCol;
  return { lineNumber: extent.start.line, line, marks: ' '.repeat(startCol) + '~'.repeat(Math.max(1, width)) };
}

/**
 * The `ConciseView` of pwsh 7: `Get-Foo: message`. Errors from a script file or a multi-line
 * script also show where they happened (`Line |` block), as pwsh's view does.
 */
export function formatConcise(record: ErrorRecord): string {
  const info = record.invocationInfo;
  const reason = record.wasThrownFromThrowStatement ? 'Exception' : info?.commandName ? info.commandName : record.category;
  const pos = info ? positionLines(info) : null;
  if (!info || !pos || !(info.script?.name || pos.lineNumber > 1)) return `${reason}: ${record.message}`;
  const num = String(pos.lineNumber);
  const head = ' '.repeat(Math.max(0, num.length - 4));
  const lines = [
    `${reason}: ${info.script?.name ? `${info.script.name}:${pos.lineNumber}` : ''}`,
    `${head}Line |`,
    `${num.padStart(4)} |  ${pos.line}`,
    `${head}     |  ${pos.marks}`,
    `${head}     | ${record.message.replace(/\r?\n/g, ' ')}`,
  ];
  return lines.join('\n');
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
  const info = record.invocationInfo;
  const cmd = info?.commandName;
  const lines = [cmd ? `${cmd} : ${record.message}` : record.message];
  const pos = info ? positionLines(info) : null;
  if (info && pos) {
    const where = info.script?.name ? `${info.script.name}:${pos.lineNumber}` : `line:${pos.lineNumber}`;
    lines.push(`At ${where} char:${info.extent!.start.column}`);
    lines.push(`+ ${pos.line}`);
    lines.push(`+ ${pos.marks}`);
  }
  lines.push(`    + CategoryInfo          : ${record.categoryInfo()}`);
  lines.push(`    + FullyQualifiedErrorId : ${record.fullyQualifiedErrorId}`);
  return lines.join('\n');
}
