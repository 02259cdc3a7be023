// Write-Progress as one terminal line: pwsh 7's $PSStyle.Progress.View = 'Minimal' rendering
// (ProgressNode.RenderAnsi): `Activity [status…        12s]` where the bar is the bracketed field
// and the completed share of it is drawn in reverse video. Without escape sequences (not a
// terminal, NO_COLOR) reverse video cannot show, so the plain form draws the share with `o`:
// `Activity [ooooo               ] 25% status 12s`.
import type { ProgressRecord } from '../engine/cmdlet';
import { ELLIPSIS, cellWidth, headFitting, spaces } from './text';

const REVERSE = '\x1b[7m';
const REVERSE_OFF = '\x1b[27m';
const RESET = '\x1b[0m';
/** $PSStyle.Progress.Style's default (bold yellow). */
const PROGRESS_STYLE = '\x1b[33;1m';
/** $PSStyle.Progress.MaxWidth's default: no need to draw wider than this. */
const MAX_WIDTH = 120;
const PLAIN_BAR = 20;

export interface ProgressRenderOptions {
  /** Use VT escape sequences (reverse video, colour); default true. */
  ansi?: boolean;
  /** Cells of indentation (child activities are indented by their depth). */
  indent?: number;
}

/** The line for a record; '' for a completed record (the host clears the progress line). */
export function renderProgress(record: ProgressRecord, width: number, opts: ProgressRenderOptions = {}): string {
  if (record.completed) return '';
  const indent = Math.max(0, opts.indent ?? 0);
  // The host passes its buffer width; like the console formatter, the last column stays free.
  const maxWidth = Math.min(width - 1, MAX_WIDTH);
  const percent = record.percentComplete ?? -1;
  const secs = record.secondsRemaining ?? -1;
  const status = record.status ?? '';

  let activity = record.activity;
  let activityWidth = cellWidth(activity);
  const half = Math.floor(maxWidth / 2);
  if (activityWidth > half) {
    activity = headFitting(activity, half - ELLIPSIS.length) + ELLIPSIS;
    activityWidth = cellWidth(activity);
  }

  if (opts.ansi === false) return plain(activity, activityWidth, status, percent, secs, indent, maxWidth);

  const secRemain = secs >= 0 ? `${secs}s` : '';
  const secLen = secRemain.length + 1;
  const barWidth = maxWidth - activityWidth - indent - 4;
  if (barWidth <= 0) return spaces(indent) + PROGRESS_STYLE + activity + RESET;
  // pwsh reserves room for the seconds and cuts the status with the ellipsis; where even that
  // does not fit (a very narrow window) we cut harder rather than overflow the line as pwsh does.
  const room = barWidth - secLen;
  let statusPart = status;
  if (cellWidth(status) > room) {
    statusPart = room > ELLIPSIS.length ? headFitting(status, room - ELLIPSIS.length) + ELLIPSIS : headFitting(status, Math.max(room, 0));
  }
  const body = headFitting(statusPart + spaces(room - cellWidth(statusPart)) + secRemain, barWidth - 1);
  let bar: string;
  if (percent >= 0 && percent < 100) {
    const done = Math.min(Math.floor((percent * barWidth) / 100), barWidth - 1);
    const head = headFitting(body, done);
    bar = REVERSE + head + REVERSE_OFF + body.slice(head.length);
  } else {
    bar = REVERSE + body + REVERSE_OFF;
  }
  return `${spaces(indent)}${PROGRESS_STYLE}${activity} [${bar}]${RESET}`;
}

function plain(
  activity: string,
  activityWidth: number,
  status: string,
  percent: number,
  secs: number,
  indent: number,
  maxWidth: number,
): string {
  let line = spaces(indent) + activity;
  let used = indent + activityWidth;
  if (percent >= 0) {
    const p = Math.min(percent, 100);
    const done = Math.floor((p * PLAIN_BAR) / 100);
    const bar = ` [${'o'.repeat(done)}${spaces(PLAIN_BAR - done)}] ${p}%`;
    if (used + bar.length <= maxWidth) {
      line += bar;
      used += bar.length;
    }
  }
  const tail = [status, secs >= 0 ? `${secs}s` : ''].filter((s) => s !== '').join(' ');
  if (tail !== '') {
    const room = maxWidth - used - 1;
    if (room > ELLIPSIS.length) {
      line += ' ' + (cellWidth(tail) > room ? headFitting(tail, room - ELLIPSIS.length) + ELLIPSIS : tail);
    }
  }
  return line;
}
