import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** scripts/compose.sh, which `make up` and `make down` run, in a checkout of its own with a fake `docker`. */
const dirs: string[] = [];

function checkout(docker: string | null, builtCompose: boolean): { root: string; path: string } {
  const root = mkdtempSync(join(tmpdir(), 'compose-sh-'));
  dirs.push(root);
  cpSync(new URL('compose.sh', import.meta.url).pathname, join(root, 'scripts/compose.sh'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  if (docker !== null) {
    writeFileSync(join(bin, 'docker'), `#!/bin/bash\n${docker}\n`);
    chmodSync(join(bin, 'docker'), 0o755);
  }
  if (builtCompose) {
    mkdirSync(join(root, '.tools/bin'), { recursive: true });
    writeFileSync(join(root, '.tools/bin/docker-compose'), '#!/bin/bash\necho "built compose: $*"\n');
    chmodSync(join(root, '.tools/bin/docker-compose'), 0o755);
  }
  return { root, path: `${bin}:/usr/bin:/bin` };
}

const run = ({ root, path }: { root: string; path: string }, ...args: string[]) =>
  spawnSync('/bin/bash', [join(root, 'scripts/compose.sh'), ...args], { encoding: 'utf8', env: { PATH: path } });

/** What docker without the Compose plugin does: `docker compose` is an unknown command, and it prints its usage. */
const DOCKER_WITHOUT_COMPOSE = 'echo "Usage:  docker [OPTIONS] COMMAND"; echo "docker: unknown command: docker $1" >&2; exit 1';

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('scripts/compose.sh', () => {
  it('says "Docker Compose is not installed", with both fixes, instead of docker\'s usage text', () => {
    const result = run(checkout(DOCKER_WITHOUT_COMPOSE, false), 'up', '--wait');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('Docker Compose is not installed: install Docker\'s docker-compose-plugin package (https://docs.docker.com/compose/install/linux/), or run \'make tools\' (builds it into .tools/bin, with Go ≥ 1.21).\n');
  });

  it('says "Docker is not installed" without docker', () => {
    const result = run(checkout(null, false), 'up');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('Docker is not installed: install Docker Engine with its Compose plugin (https://docs.docker.com/engine/install/).\n');
  });

  it('uses the Compose `make tools` built when docker has no plugin, and the plugin when it has one', () => {
    expect(run(checkout(DOCKER_WITHOUT_COMPOSE, true), 'down', '--volumes').stdout).toBe('built compose: down --volumes\n');
    expect(run(checkout('echo "plugin: $*"', true), 'down').stdout).toBe('plugin: compose down\n');
  });
});
