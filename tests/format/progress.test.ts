// Write-Progress as one line (pwsh 7's Minimal progress view).
import { renderProgress } from '../../core/format';

const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('renderProgress', () => {
  test('minimal view: activity, then the bar holding the status, reverse video up to the percentage', () => {
    const line = renderProgress({ activity: 'Downloading', status: 'NanoServer', percentComplete: 50 }, 41);
    expect(line).toBe('\x1b[33;1mDownloading [\x1b[7mNanoServer  \x1b[27m' + ' '.repeat(12) + ']\x1b[0m');
  });

  test('seconds remaining sit at the right end of the bar; a long status is cut with the ellipsis', () => {
    const line = renderProgress(
      { activity: 'Install', status: 'Downloading NanoServer 10.0.14300.1010 from ContainerImageGallery', percentComplete: 0, secondsRemaining: 12 },
      41,
    );
    const text = strip(line);
    expect(text).toBe('Install [Downloading NanoServer...12s]');
    expect(text.length).toBeLessThanOrEqual(40);
    expect(line).toContain('\x1b[7m\x1b[27m');
  });

  test('no percentage: the whole bar is highlighted', () => {
    expect(renderProgress({ activity: 'A', status: 's' }, 12)).toBe('\x1b[33;1mA [\x1b[7ms    \x1b[27m]\x1b[0m');
  });

  test('a long activity takes at most half the width', () => {
    const text = strip(renderProgress({ activity: 'x'.repeat(100), status: 'y', percentComplete: 10 }, 41));
    expect(text.startsWith('x'.repeat(17) + '... [')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(40);
  });

  test('plain form for hosts without escape sequences', () => {
    const r = { activity: 'Downloading', status: 'NanoServer', percentComplete: 50, secondsRemaining: 12 };
    expect(renderProgress(r, 80, { ansi: false })).toBe('Downloading [oooooooooo          ] 50% NanoServer 12s');
    expect(renderProgress(r, 45, { ansi: false })).toBe('Downloading [oooooooooo          ] 50% Na...');
    expect(renderProgress({ activity: 'Scan', status: 'file 3' }, 80, { ansi: false })).toBe('Scan file 3');
  });

  test('a completed record renders nothing', () => {
    expect(renderProgress({ activity: 'A', completed: true }, 80)).toBe('');
  });

  test('every rendering fits the width', () => {
    for (let w = 10; w <= 130; w += 7) {
      for (const ansi of [true, false]) {
        const line = renderProgress({ activity: 'Activity name', status: 'status text that is long enough', percentComplete: 37, secondsRemaining: 5 }, w, { ansi });
        expect(strip(line).length).toBeLessThan(w);
      }
    }
  });
});
