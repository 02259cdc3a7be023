// Several posh processes installing, listing and removing at once: every operation succeeds or
// fails whole, readers never see a half-written catalog, and the store checks clean afterwards.

import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { makeWim, posh, sampleTree } from './helpers';

jest.setTimeout(120_000);

test('concurrent installs, listings and removals keep the store consistent', async () => {
  const dir = makeTempDir('store-conc-');
  const home = join(dir, 'home');
  try {
    // Five images sharing most of their files (same seed), each with a few of its own.
    for (let i = 0; i < 5; i++) {
      sampleTree(join(dir, `src${i}`), 8, 30_000, 1);
      sampleTree(join(dir, `src${i}`, 'own'), 3, 20_000, 100 + i);
      await makeWim(join(dir, `src${i}`), join(dir, `img${i}.wim`), `Image${i}`, `1.0.0.${i}`, 'CN=Test');
    }
    // Image0 and Image1 are there before the storm; Image1 is removed during it.
    expect((await posh('Install-ContainerOSImage img0.wim; Install-ContainerOSImage img1.wim', dir, home)).code).toBe(0);
    // Every listing is some committed state: at most the five images, each once, each whole (a
    // size and a layer). No image at all is a legitimate state too: the removal of Image1 and the
    // uninstall of Image0 may both commit before any of the installs.
    const lister = 'foreach ($i in 1..15) { $l = @(Get-ContainerImage); $names = @($l | ForEach-Object Name | Sort-Object -Unique); if ($l.Count -gt 5 -or $names.Count -ne $l.Count -or @($l | Where-Object { $_.Name -notmatch \'^Image[0-4]$\' -or $_.Size -le 0 }).Count) { "BAD $($l.Count)" } }; "listed"';
    const jobs = [
      posh('Install-ContainerOSImage img2.wim', dir, home),
      posh('Install-ContainerOSImage img3.wim', dir, home),
      posh('Install-ContainerOSImage img4.wim', dir, home),
      posh('Install-ContainerOSImage img4.wim', dir, home), // the same archive twice at once
      posh('Get-ContainerImage -Name Image1 | Remove-ContainerImage -Force', dir, home),
      posh(lister, dir, home),
      posh(lister, dir, home),
      posh('Uninstall-ContainerOSImage CN=Test_Image0_1.0.0.0 -Force; Install-ContainerOSImage img0.wim', dir, home),
    ];
    const results = await Promise.all(jobs);
    for (const [i, r] of results.entries()) {
      if (i === 3 || i === 2) continue;
      expect({ i, r }).toEqual({ i, r: { stdout: i === 5 || i === 6 ? 'listed\n' : '', stderr: '', code: 0 } });
    }
    // Of the two installs of img4, one installs and the other finds it installed (or runs first).
    const warn = "WARNING: The container OS image 'CN=Test_Image4_1.0.0.4' is already installed. Use -Force to replace it.\n";
    const outs = [results[2], results[3]].map((r) => r.stdout).sort();
    expect(results[2].code).toBe(0);
    expect(results[3].code).toBe(0);
    expect(outs).toEqual(['', warn]);
    const final = await posh('Test-ContainerImageStore | ForEach-Object { "PROBLEM $($_.Problem)" }; (Get-ContainerImage | ForEach-Object Name | Sort-Object) -join ","; (Optimize-ContainerImageStore).BlobsRemoved', dir, home);
    expect(final).toEqual({ stdout: 'Image0,Image2,Image3,Image4\n0\n', stderr: '', code: 0 });
  } finally {
    removeTempDir(dir);
  }
});
