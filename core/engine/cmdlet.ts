// The cmdlet declaration API: each cmdlet is one metadata object (verb, noun, parameters with
// their sets and pipeline binding) beside its begin/process/end. The binder, Get-Command,
// Get-Help and Tab completion all read this same declaration.

import type { ErrorRecord } from './errors';

/**
 * Parameter types the binder coerces arguments to. `T[]` accepts one value or many.
 * 'object' takes the value as is; 'switch' is a flag (`-Force`, `-Force:$false`).
 */
export type ParameterType =
  | 'string' | 'string[]'
  | 'int' | 'int[]' | 'long' | 'double'
  | 'bool' | 'switch'
  | 'version' | 'datetime'
  | 'scriptblock' | 'scriptblock[]' | 'hashtable'
  | 'object' | 'object[]';

export interface ParameterDecl {
  name: string;
  type: ParameterType;
  aliases?: string[];
  mandatory?: boolean;
  /** 0-based position for positional binding; omitted = named only. */
  position?: number;
  valueFromPipeline?: boolean;
  valueFromPipelineByPropertyName?: boolean;
  /** Takes every otherwise unbound argument (Write-Output's -InputObject style). */
  valueFromRemainingArguments?: boolean;
  /** Parameter sets this parameter belongs to; omitted = every set. */
  sets?: string[];
  validateSet?: string[];
  validateNotNullOrEmpty?: boolean;
  /** One line for Get-Help's parameter section. */
  description?: string;
}

/** What a cmdlet's begin/process/end receive. */
export interface CmdletContext {
  /** Bound parameters by declared name (not by alias); absent when not bound. */
  readonly params: Record<string, unknown>;
  /** Names of the parameters bound for this call (for this record, when pipeline-bound). */
  readonly boundParameters: ReadonlySet<string>;
  readonly parameterSetName: string;
  /** The command's own name, for error ids such as `NamedParameterNotFound,Get-ContainerImage`. */
  readonly commandName: string;
  readonly session: unknown; // SessionState; typed loosely here to keep this file dependency-free
  /** The scope the command was called from (Scope), for the variable cmdlets. */
  readonly scope: unknown;
  /** True when the pipeline is being stopped (Ctrl+C or a downstream `Select-Object -First`). */
  readonly stopping: boolean;

  /** Writes one object to the output stream (arrays are written as one object). */
  write(value: unknown): void | Promise<void>;
  /** Writes each element of an iterable; awaits downstream only when it is asynchronous. */
  writeAll(values: Iterable<unknown>): void | Promise<void>;
  writeError(record: ErrorRecord): void;
  writeWarning(message: string): void;
  writeVerbose(message: string): void;
  writeDebug(message: string): void;
  writeInformation(message: unknown, tags?: string[]): void;
  /** Writes to the host directly (Write-Host). */
  writeHost(text: string, options?: { noNewline?: boolean; foreground?: string }): void;
  writeProgress(record: ProgressRecord): void;
  /**
   * ShouldProcess: prints the What-if line under -WhatIf, asks under -Confirm (or when the
   * cmdlet's ConfirmImpact reaches $ConfirmPreference), and returns whether to go ahead.
   */
  shouldProcess(target: string, action?: string): Promise<boolean>;
  /** Asks a yes/no question (ShouldContinue); a non-interactive host answers with an error. */
  shouldContinue(query: string, caption: string): Promise<boolean>;
  /**
   * Runs a script block in the caller's scope with `$_` set (ForEach-Object, Where-Object,
   * calculated properties); returns its output, synchronously when the block needs no I/O.
   */
  invoke(scriptBlock: unknown, options?: { dollarUnder?: unknown; args?: unknown[] }): unknown[] | Promise<unknown[]>;
  /** The host's formatting width ($Host.UI.RawUI.BufferSize.Width). */
  readonly hostWidth: number;
  /** Storage that lives from begin to end of one invocation (a cmdlet declaration is shared). */
  readonly state: Record<string, any>;
  /** Ends the commands upstream: this one has all the input it needs (Select-Object -First). */
  stopUpstream(): never;
  /** Stops the command with a terminating error. */
  throwTerminating(record: ErrorRecord): never;
}

export interface ProgressRecord {
  activity: string;
  status?: string;
  percentComplete?: number;
  activityId?: number;
  parentId?: number;
  currentOperation?: string;
  secondsRemaining?: number;
  completed?: boolean;
}

export interface CmdletDecl {
  verb: string;
  noun: string;
  aliases?: string[];
  synopsis: string;
  parameters: ParameterDecl[];
  defaultParameterSet?: string;
  supportsShouldProcess?: boolean;
  confirmImpact?: 'None' | 'Low' | 'Medium' | 'High';
  outputType?: string[];
  /**
   * The command parses its own arguments: every argument, named (`-a`, `--no-trunc`) or
   * positional, is passed in order to its valueFromRemainingArguments parameter.
   */
  passThruArguments?: boolean;
  /** The PowerShell module the cmdlet belongs to (Get-Command's Source column). */
  module: string;
  /**
   * For commands that exist only once something is installed (a package provider's cmdlets):
   * returns null when available, else a hint line naming what installs it. While unavailable the
   * command is "not recognized" (with the hint) and Get-Command does not list it.
   */
  availability?(session: unknown): string | null;
  begin?(ctx: CmdletContext): void | Promise<void>;
  process?(ctx: CmdletContext): void | Promise<void>;
  end?(ctx: CmdletContext): void | Promise<void>;
}

/** Declares a cmdlet; a module's default export is what it returns. */
export function defineCmdlet(decl: CmdletDecl): CmdletDecl {
  return decl;
}

export function cmdletName(decl: Pick<CmdletDecl, 'verb' | 'noun'>): string {
  return `${decl.verb}-${decl.noun}`;
}
