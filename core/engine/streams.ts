// How errors reach the user and how the engine asks questions: rendering in $ErrorView,
// recording in $Error, and PowerShell's choice prompt.

import { ErrorRecord, formatConcise, formatNormal, RuntimeException } from './errors';
import type { Scope, SessionState } from './session';

export function renderError(session: SessionState, scope: Scope, record: ErrorRecord): string {
  const view = session.preference(scope, 'ErrorView').toLowerCase();
  return view === 'normalview' ? formatNormal(record) : formatConcise(record);
}

/** Prints a non-terminating or uncaught error and records it in $Error. */
export function reportError(session: SessionState, scope: Scope, record: ErrorRecord): void {
  session.recordError(record);
  session.host.writeError(renderError(session, scope, record));
}

function nonInteractiveError(): RuntimeException {
  return new RuntimeException(
    new ErrorRecord({
      message: 'PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.',
      errorId: 'HostException',
      category: 'ResourceUnavailable',
      exceptionType: 'System.Management.Automation.Host.HostException',
    }),
  );
}

/**
 * PowerShell's PromptForChoice: `[Y] Yes  [N] No  [?] Help (default is "Y"):`. Choices mark their
 * hot key with `&`. Returns the chosen index; a host that cannot ask raises an error.
 */
export async function promptChoice(session: SessionState, caption: string, message: string, choices: string[], defaultIndex: number): Promise<number> {
  if (!session.host.interactive) throw nonInteractiveError();
  const keys = choices.map((c) => {
    const i = c.indexOf('&');
    return (i >= 0 ? c[i + 1] : c[0]).toUpperCase();
  });
  const labels = choices.map((c) => c.replace('&', ''));
  const line = labels.map((l, i) => `[${keys[i]}] ${l}`).join('  ') + `  [?] Help (default is "${keys[defaultIndex]}"): `;
  session.host.writeHost(caption, true);
  session.host.writeHost(message, true);
  for (;;) {
    const answer = await session.host.readLine(line);
    if (answer === null) throw nonInteractiveError();
    const a = answer.trim().toUpperCase();
    if (a === '') return defaultIndex;
    const idx = keys.indexOf(a);
    if (idx >= 0) return idx;
    const byLabel = labels.findIndex((l) => l.toUpperCase() === a);
    if (byLabel >= 0) return byLabel;
    if (a === '?') session.host.writeHost(labels.map((l, i) => `${keys[i]} - ${l}`).join('\n'), true);
  }
}
