// Parsing must stay linear and fast: a 2,000-line script in a few milliseconds.
import { parse } from '../../core/language/parser';

const BLOCK = `function Get-Thing {
  [CmdletBinding(SupportsShouldProcess)]
  param([Parameter(Mandatory, Position=0)][ValidateSet('a','b')][string]$Name, [switch]$Force)
  $images = Get-ContainerImage -Name "$Name*" | Where-Object { $_.Version -ge [version]'10.0.14300.1010' } | Sort-Object Name
  foreach ($img in $images) {
    if ($img.Name -like 'Nano*' -and -not $Force) { Write-Output ("{0} {1}" -f $img.Name, $img.Version) }
    elseif ($img.Size -gt 10gb) { $total += $img.Size / 1mb } else { $h = @{ Name = $img.Name; Tags = @('x', 'y') } }
  }
  try { Install-ContainerImage -Name NanoServer -Version 10.0.10586.0 2>&1 > $null } catch [System.Exception] { throw "failed: $($_.Exception.Message)" }
  $list = 1..10 | % { $_ * 2 }; $s = 'a,b,c'.Split(',')[-1].ToUpper()
}
`;

function bestOf(runs: number, script: string): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    parse(script);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

test('a 2,000-line script parses in a few milliseconds', () => {
  const script = BLOCK.repeat(200);
  expect(script.split('\n').length).toBeGreaterThan(2000);
  expect(parse(script).end).toHaveLength(200);
  // About 10 ms on an idle machine. The bound is loose because tests run in parallel on busy
  // machines; a step quadratic in the script length would still blow far past it.
  expect(bestOf(15, script)).toBeLessThan(400);
});

test('time grows linearly with the script', () => {
  const small = BLOCK.repeat(100);
  const large = BLOCK.repeat(800);
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  // Interleaved so a burst of load on the machine hits both sizes alike.
  for (let i = 0; i < 12; i++) {
    bestSmall = Math.min(bestSmall, bestOf(1, small));
    bestLarge = Math.min(bestLarge, bestOf(1, large));
  }
  // Linear is 8x (a little more from garbage collection of the larger tree); quadratic would be 64x.
  expect(bestLarge / bestSmall).toBeLessThan(40);
});

test('extents serialise as plain start/end/text', () => {
  const json = JSON.parse(JSON.stringify(parse('Get-Foo -Name x')));
  expect(json.extent).toEqual({
    start: { offset: 0, line: 1, column: 1 },
    end: { offset: 15, line: 1, column: 16 },
    text: 'Get-Foo -Name x',
  });
  expect(json.end[0].elements[0].elements[1].extent.text).toBe('x');
});
