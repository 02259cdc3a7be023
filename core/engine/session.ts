// Session state: scopes and variables, functions, aliases, the command table (cmdlets are found
// by file name and loaded only when first used), preference variables, $Error and $?.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CmdletDecl, ProgressRecord } from './cmdlet';
import { cmdletName } from './cmdlet';
import type { ErrorRecord } from './errors';
import type { ScriptBlock } from './scriptblock';
import { PSObject, PSVersion } from './values';

export class PSVariable {
  constructor(
    public name: string,
    public value: unknown,
    public readonly options: 'None' | 'ReadOnly' | 'Constant' = 'None',
    public description = '',
  ) {}
}

export class Scope {
  readonly vars = new Map<string, PSVariable>();
  constructor(readonly parent: Scope | null) {}

  /** Finds a variable in this scope or an enclosing one (names are lower case). */
  lookup(lowerName: string): PSVariable | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(lowerName);
      if (v) return v;
    }
    return undefined;
  }

  /** Creates or updates a variable in this very scope. */
  setLocal(name: string, value: unknown): PSVariable {
    const lower = name.toLowerCase();
    const existing = this.vars.get(lower);
    if (existing) {
      existing.value = value;
      return existing;
    }
    const v = new PSVariable(name, value);
    this.vars.set(lower, v);
    return v;
  }
}

/** What the engine needs from the host: where text goes and how to ask the user. */
export interface HostUI {
  readonly interactive: boolean;
  /** Width for formatting ($Host.UI.RawUI.BufferSize.Width). */
  readonly width: number;
  /** Formatted pipeline output. */
  writeOutput(text: string): void;
  /** Error records, already rendered in the current $ErrorView. */
  writeError(text: string): void;
  /** Write-Host and the What-if lines. */
  writeHost(text: string, newline: boolean, foreground?: string): void;
  writeWarning(message: string): void;
  writeVerbose(message: string): void;
  writeDebug(message: string): void;
  writeInformation(message: string): void;
  writeProgress(record: ProgressRecord): void;
  /** Reads one line from the user; null when the host cannot ask (non-interactive, end of input). */
  readLine(prompt: string): Promise<string | null>;
}

export interface CommandEntry {
  kind: 'Cmdlet';
  name: string;
  room: string;
  /** The declaration's module (Get-Command's Source), known without loading the cmdlet. */
  module: string;
  /** Whether the declaration has `availability` (then it must be loaded to know if it is usable). */
  gated: boolean;
  load: () => { default: CmdletDecl };
}

/** Aliases every session starts with (PowerShell's built-in ones for the commands we have). */
export const builtinAliases: [string, string][] = [
  ['select', 'Select-Object'], ['where', 'Where-Object'], ['?', 'Where-Object'],
  ['foreach', 'ForEach-Object'], ['%', 'ForEach-Object'], ['sort', 'Sort-Object'],
  ['ft', 'Format-Table'], ['fl', 'Format-List'], ['gcm', 'Get-Command'], ['gm', 'Get-Member'],
  ['measure', 'Measure-Object'], ['echo', 'Write-Output'], ['write', 'Write-Output'],
  ['group', 'Group-Object'], ['tee', 'Tee-Object'], ['gv', 'Get-Variable'], ['sv', 'Set-Variable'],
  ['set', 'Set-Variable'], ['gal', 'Get-Alias'], ['cd', 'Set-Location'], ['sl', 'Set-Location'],
  ['chdir', 'Set-Location'], ['pwd', 'Get-Location'], ['gl', 'Get-Location'], ['cat', 'Get-Content'],
  ['gc', 'Get-Content'], ['type', 'Get-Content'], ['sc', 'Set-Content'], ['ac', 'Add-Content'],
  ['ls', 'Get-ChildItem'], ['dir', 'Get-ChildItem'], ['gci', 'Get-ChildItem'], ['ni', 'New-Item'],
  ['rm', 'Remove-Item'], ['del', 'Remove-Item'], ['ri', 'Remove-Item'], ['rmdir', 'Remove-Item'],
  ['erase', 'Remove-Item'], ['rd', 'Remove-Item'], ['sleep', 'Start-Sleep'], ['help', 'Get-Help'],
  ['man', 'Get-Help'], ['epcsv', 'Export-Csv'], ['ipcsv', 'Import-Csv'], ['oh', 'Out-Host'],
  ['docker', 'Invoke-Docker'],
];

/** A row of the generated command table (cmdlets/index.ts, written by scripts/build.js). */
export type CmdletModuleEntry = Omit<CommandEntry, 'kind'>;

let cmdletTable: Map<string, CommandEntry> | null = null;

/** The built-in cmdlets by lower-case name; modules are required only when a cmdlet is used. */
export function cmdletEntries(): Map<string, CommandEntry> {
  if (cmdletTable) return cmdletTable;
  const { cmdletModules } = require('../../cmdlets/index') as { cmdletModules: Record<string, CmdletModuleEntry> };
  cmdletTable = new Map(Object.entries(cmdletModules).map(([k, e]) => [k, { kind: 'Cmdlet', ...e }]));
  return cmdletTable;
}

const loadedDecls = new Map<string, CmdletDecl>();

export function loadCmdlet(entry: CommandEntry): CmdletDecl {
  let decl = loadedDecls.get(entry.name);
  if (!decl) {
    decl = entry.load().default;
    if (!decl || cmdletName(decl) !== entry.name) throw new Error(`cmdlet module ${entry.room}/${entry.name} does not declare ${entry.name}`);
    loadedDecls.set(entry.name, decl);
  }
  return decl;
}

export interface FunctionEntry {
  name: string;
  scriptBlock: ScriptBlock;
}

export const engineVersion = new PSVersion(7, 4, 0);

let packageVersionText: string | null = null;
let packageRootDir: string | null = null;

/** The package's root (where package.json and docs/ are); it sits above core/, dist/core/ and dist/. */
export function packageRoot(): string {
  if (packageRootDir !== null) return packageRootDir;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (packageRootDir = dir);
  }
  return (packageRootDir = path.resolve(__dirname, '..', '..'));
}

/** The package's version, from package.json at the package root. */
export function packageVersion(): string {
  if (packageVersionText) return packageVersionText;
  const file = path.join(packageRoot(), 'package.json');
  try {
    packageVersionText = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    packageVersionText = '0.0.0';
  }
  return packageVersionText;
}

export class SessionState {
  readonly global = new Scope(null);
  readonly functions = new Map<string, FunctionEntry>();
  readonly aliases = new Map<string, string>();
  /** $Error: most recent first. */
  readonly errors: ErrorRecord[] = [];
  /** $? — whether the last command succeeded. */
  lastSucceeded = true;
  /** Set when a terminating error ended a statement at top level (drives the exit code). */
  hadTerminatingError = false;
  /** Set by `exit N`: the code the process ends with. */
  exitCode: number | null = null;
  /** Objects from the host (`posh -InputFormat Xml …`) not yet consumed by a pipeline. */
  hostInput: unknown[] | null = null;
  /** How many try blocks are running: inside one, statement-terminating errors go to its catch. */
  tryDepth = 0;
  cwd: string;

  constructor(
    readonly host: HostUI,
    readonly storeRoot: string,
  ) {
    this.cwd = process.cwd();
    for (const [a, c] of builtinAliases) this.aliases.set(a.toLowerCase(), c);
    const g = this.global;
    const setConst = (name: string, value: unknown) => g.vars.set(name.toLowerCase(), new PSVariable(name, value, 'Constant'));
    setConst('PID', process.pid);
    setConst('HOME', process.env.HOME ?? '');
    g.setLocal('ErrorActionPreference', 'Continue');
    g.setLocal('WarningPreference', 'Continue');
    g.setLocal('VerbosePreference', 'SilentlyContinue');
    g.setLocal('DebugPreference', 'SilentlyContinue');
    g.setLocal('InformationPreference', 'SilentlyContinue');
    g.setLocal('ProgressPreference', 'Continue');
    g.setLocal('ConfirmPreference', 'High');
    g.setLocal('WhatIfPreference', false);
    g.setLocal('ErrorView', 'ConciseView');
    g.setLocal('FormatEnumerationLimit', 4);
    g.setLocal('OFS', ' ');
    const table = new PSObject(['System.Management.Automation.PSVersionHashTable', 'System.Collections.Hashtable']);
    table.set('PSVersion', engineVersion);
    table.set('PSEdition', 'Core');
    table.set('Platform', process.platform === 'win32' ? 'Win32NT' : 'Unix');
    table.set('OS', `${process.platform} ${process.arch}`);
    setConst('PSVersionTable', table);
  }

  /** Reads a preference variable such as ErrorActionPreference, as the current scope sees it. */
  preference(scope: Scope, name: string): string {
    const v = scope.lookup(name.toLowerCase());
    return v === undefined || v.value === null || v.value === undefined ? '' : String(v.value);
  }

  recordError(record: ErrorRecord): void {
    this.errors.unshift(record);
    if (this.errors.length > 256) this.errors.length = 256;
  }
}
