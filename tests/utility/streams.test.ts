// Write-Progress, Write-Information, Out-Host and Out-Null: what reaches each host stream.
import { runInProcess } from '../helpers/posh';

describe('Write-Progress', () => {
  test('sends a progress record with every field to the host', async () => {
    const { host, ok } = await runInProcess(
      `Write-Progress -Activity 'Copying layers' -Status 'Layer 2 of 5' -PercentComplete 40 -SecondsRemaining 12 -CurrentOperation 'base.vhd' -Id 3 -ParentId 1`,
    );
    expect(ok).toBe(true);
    expect(host.progress).toEqual([
      {
        activity: 'Copying layers',
        status: 'Layer 2 of 5',
        activityId: 3,
        parentId: 1,
        percentComplete: 40,
        secondsRemaining: 12,
        currentOperation: 'base.vhd',
        completed: false,
      },
    ]);
  });

  test('defaults: status Processing, id 0, no parent, percent and seconds -1', async () => {
    const { host } = await runInProcess(`Write-Progress 'Working'`);
    expect(host.progress).toEqual([
      { activity: 'Working', status: 'Processing', activityId: 0, parentId: -1, percentComplete: -1, secondsRemaining: -1, currentOperation: undefined, completed: false },
    ]);
  });

  test('positional Activity, Status and Id', async () => {
    const { host } = await runInProcess(`Write-Progress 'A' 'S' 7`);
    expect(host.progress.map((r) => [r.activity, r.status, r.activityId])).toEqual([['A', 'S', 7]]);
  });

  test('-Completed sends a completed record; without -Activity the activity is Processing', async () => {
    const { host, ok } = await runInProcess(`Write-Progress -Completed`);
    expect(ok).toBe(true);
    expect(host.progress.map((r) => [r.activity, r.completed])).toEqual([['Processing', true]]);
  });

  test("$ProgressPreference = 'SilentlyContinue' sends nothing", async () => {
    const { host } = await runInProcess(`$ProgressPreference = 'SilentlyContinue'; Write-Progress -Activity a -PercentComplete 5; 'done'`);
    expect(host.progress).toEqual([]);
    expect(host.output).toBe('done\n');
  });

  test('-Status cannot be empty', async () => {
    const { host, ok } = await runInProcess(`Write-Progress -Activity a -Status ''`);
    expect(ok).toBe(false);
    expect(host.errors).toEqual([
      "Write-Progress: Cannot validate argument on parameter 'Status'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.",
    ]);
  });

  test('a range error is a binding validation error with pwsh ids', async () => {
    const { host } = await runInProcess(`try { Write-Progress -Activity a -PercentComplete 101 } catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category }`);
    expect(host.output).toBe('ParameterArgumentValidationError,Microsoft.PowerShell.Commands.WriteProgressCommand\nInvalidData\n');
  });
});

describe('Write-Information', () => {
  test('is silent by default and shown with -InformationAction Continue or $InformationPreference', async () => {
    const { host } = await runInProcess(`Write-Information 'a'; Write-Information 'b' -InformationAction Continue; $InformationPreference = 'Continue'; Write-Information -MessageData 'c' -Tags x`);
    expect(host.information).toEqual(['b', 'c']);
    expect(host.output).toBe('');
  });

  test('the Msg and Message aliases, and a non-string message', async () => {
    const { host } = await runInProcess(`$InformationPreference = 'Continue'; Write-Information -Msg 1; Write-Information -Message ([version]'1.2')`);
    expect(host.information).toEqual(['1', '1.2']);
  });

  test('MessageData is mandatory', async () => {
    const { host, ok } = await runInProcess(`Write-Information`);
    expect(ok).toBe(false);
    expect(host.errors).toEqual(['Write-Information: Cannot process command because of one or more missing mandatory parameters: MessageData.']);
  });
});

describe('Out-Host and Out-Null', () => {
  test('Out-Host writes the formatted objects to the host and nothing to the pipeline', async () => {
    const { host } = await runInProcess(`$x = [pscustomobject]@{Name='NanoServer'; Size=10} | Out-Host; $null -eq $x`);
    expect(host.hostText).toBe('\nName       Size\n----       ----\nNanoServer   10\n\n');
    expect(host.output).toBe('True\n');
  });

  test('Out-Null swallows output but not warnings', async () => {
    const { host } = await runInProcess(`1..3 | Out-Null; Write-Warning 'w' | Out-Null`);
    expect(host.output).toBe('');
    expect(host.warnings).toEqual(['w']);
  });
});
