// The pipeline at run time: begin/process/end order, one object at a time, early stop upstream,
// streams and preference variables, ShouldProcess prompts, terminating and non-terminating errors.

import { CaptureHost, evaluate, runInProcess } from '../helpers/posh';

describe('begin, process and end', () => {
  test('run in PowerShell order across commands, one object at a time', async () => {
    const { host } = await runInProcess(`
      function A { begin { Write-Host 'A begin' } process { Write-Host "A process $_"; $_ } end { Write-Host 'A end' } }
      function B { begin { Write-Host 'B begin' } process { Write-Host "B process $_" } end { Write-Host 'B end' } }
      1, 2 | A | B`);
    expect(host.hostText.trim().split('\n')).toEqual([
      'A begin', 'B begin', 'A process 1', 'B process 1', 'A process 2', 'B process 2', 'A end', 'B end',
    ]);
  });

  test('a function without a process block sees all input in $input at end', async () => {
    expect(await evaluate('function Sum-All { $t = 0; foreach ($x in $input) { $t += $x }; $t }; 1..4 | Sum-All')).toEqual([10]);
  });
});

describe('early stop upstream', () => {
  test('Select-Object -First stops an endless producer and the rest of the script goes on', async () => {
    const out = await evaluate(`
      $script:produced = 0
      function Produce { while ($true) { $global:produced++; $global:produced } }
      Produce | Select-Object -First 3
      "produced=$global:produced"`);
    expect(out).toEqual([1, 2, 3, 'produced=3']);
  });

  test('upstream end blocks are skipped, downstream ones still run', async () => {
    const { host } = await runInProcess(`
      function Up { process { $_ } end { Write-Host 'up end' } }
      function Down { process { $_ } end { Write-Host 'down end' } }
      1..100 | Up | Select-Object -First 2 | Down`);
    expect(host.hostText).toBe('down end\n');
    expect(host.output).toBe('1\n2\n');
  });

  test('a nested pipeline stopping does not stop the outer one', async () => {
    expect(await evaluate('1..3 | ForEach-Object { (1..10 | Select-Object -First 1) + $_ }')).toEqual([2, 3, 4]);
  });
});

describe('streams and preferences', () => {
  test('warnings, verbose and debug follow their preference variables and common parameters', async () => {
    const { host } = await runInProcess(`
      Write-Warning w1
      $WarningPreference = 'SilentlyContinue'; Write-Warning w2
      Write-Verbose v1; $VerbosePreference = 'Continue'; Write-Verbose v2
      Write-Debug d1 -Debug`);
    expect(host.warnings).toEqual(['w1']);
    expect(host.verbose).toEqual(['v2']);
    expect(host.debug).toEqual(['d1']);
  });

  test('non-terminating errors are reported and recorded, and the script continues', async () => {
    const { host, ok, runspace } = await runInProcess(`Write-Error one; 'two'`);
    expect(host.errors).toEqual(['Write-Error: one']);
    expect(host.output).toBe('two\n');
    expect(ok).toBe(true);
    expect(runspace.session.errors[0].fullyQualifiedErrorId).toBe('Microsoft.PowerShell.Commands.WriteErrorException');
  });

  test('-ErrorAction Stop turns an error into one that try/catch takes', async () => {
    expect(await evaluate(`try { Write-Error bad -ErrorAction Stop } catch { "caught: $($_.Exception.Message)" }`)).toEqual(['caught: bad']);
  });

  test('a statement-terminating error inside try is caught; outside it ends only the statement', async () => {
    expect(await evaluate(`try { Get-Command -Bogus; 'no' } catch { $_.FullyQualifiedErrorId }`)).toEqual(['NamedParameterNotFound,Get-Command']);
    const { host, ok } = await runInProcess(`Get-Command -Bogus; 'yes'`);
    expect(host.output).toBe('yes\n');
    expect(ok).toBe(false);
  });
});

describe('ShouldProcess', () => {
  const fn = `function Remove-Thing { [CmdletBinding(SupportsShouldProcess)] param([Parameter(ValueFromPipeline)]$Item) process { if ($PSCmdlet.ShouldProcess($Item, 'Remove')) { "removed $Item" } } }`;

  test('-WhatIf prints the operation and target and does nothing', async () => {
    const { host } = await runInProcess(`${fn}; 'a' | Remove-Thing -WhatIf`);
    expect(host.hostText).toBe('What if: Performing the operation "Remove" on target "a".\n');
    expect(host.output).toBe('');
  });

  test('-Confirm asks; Yes to All answers the rest', async () => {
    const { host } = await runInProcess(`${fn}; 'a', 'b', 'c' | Remove-Thing -Confirm`, { interactive: true, answers: ['n', 'a'] });
    expect(host.output).toBe('removed b\nremoved c\n');
    expect(host.hostText).toContain('Confirm\nAre you sure you want to perform this action?\nPerforming the operation "Remove" on target "a".\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y"): ');
  });

  test('a host that cannot ask gives an error instead of going ahead', async () => {
    const { host } = await runInProcess(`${fn}; 'a' | Remove-Thing -Confirm`);
    expect(host.output).toBe('');
    expect(host.errors.join('\n')).toContain('PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.');
  });
});

describe('missing mandatory parameters', () => {
  test('an interactive host asks for them, as PowerShell does', async () => {
    const host = new CaptureHost(true, ['typed-name']);
    const { Runspace } = await import('../../core/engine/runspace');
    const rs = new Runspace(host, '/tmp/posh-inprocess-store');
    await rs.run('Set-Variable -Value 5; Get-Variable typed-name -ValueOnly');
    expect(host.hostText).toContain('cmdlet Set-Variable at command pipeline position 1\nSupply values for the following parameters:\nName: ');
    expect(host.output).toBe('5\n');
  });
});
