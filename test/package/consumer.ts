// Helpers of the consumer test: pack the library as npm would publish it, install the tarball into a fresh folder,
// and pull the README's "Use it in your project" examples out as the files a user would write.

import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

export interface Packed {
  tarball: string;
  /** Bytes of the .tgz, and of its files unpacked. */
  size: number;
  unpackedSize: number;
  files: string[];
}

/** `npm pack` of this checkout (its prepack script builds dist/) into `dir`. */
export async function pack(dir: string): Promise<Packed> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    maxBuffer: 1 << 26,
  }).catch((e) => {
    const { stdout: out = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`npm pack (which builds dist/ first) failed:\n${out}${stderr}`);
  });
  const [info] = JSON.parse(stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  if (!info) throw new Error(`npm pack printed no package: ${stdout}`);
  return {
    tarball: join(dir, info.filename),
    size: info.size,
    unpackedSize: info.unpackedSize,
    files: info.files.map((f) => f.path),
  };
}

/** A fresh npm project in `dir` with the tarball and `extra` packages (from the registry or npm's cache) installed. */
export async function installInto(dir: string, tarball: string, extra: readonly string[]): Promise<void> {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...extra], {
    cwd: dir,
    maxBuffer: 1 << 26,
  });
}

/** Runs a command in `cwd`; resolves to its exit code and output instead of throwing on a failure. */
export async function command(
  file: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, [...args], { cwd, maxBuffer: 1 << 26, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? err.message,
    };
  }
}

/** The README's examples for users of the package, by the bold label that introduces each. */
export function readmeExamples(): { node: string; bundler: string; page: string } {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it in your project');
  if (start < 0) throw new Error('README.md has no "## Use it in your project" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const block = (label: string, lang: string): string => {
    const at = section.indexOf(`**${label}**`);
    const m = at < 0 ? null : new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(section.slice(at));
    if (!m?.[1]) throw new Error(`README "Use it in your project": no \`\`\`${lang} block after **${label}**`);
    return m[1];
  };
  return { node: block('Node', 'js'), bundler: block('A bundler', 'js'), page: block('A plain page', 'html') };
}
