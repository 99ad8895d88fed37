import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { type CliIO, execCommand } from './exec.js';

const DEMO_IMAGE = 'busybox';

/**
 * `npm start` today: run the bundled demo pipeline through the real runtime so a newcomer sees
 * a run within seconds. On Docker when the engine answers and has the demo's image; otherwise on
 * the host with a loud warning (no registry may be reachable to pull from). With the server
 * (issue #3) this becomes `slipway server` on its embedded defaults.
 */
export async function startCommand(argv: string[], io: CliIO): Promise<number> {
  const demo = fileURLToPath(new URL('../../examples/demo', import.meta.url));
  io.stdout(`Slipway: running the demo pipeline in ${demo}\n\n`);
  const explicit = argv.includes('--backend');
  const backend = explicit ? [] : ['--backend', await demoBackend(io)];
  return execCommand(['--dir', demo, ...backend, ...argv], io);
}

async function demoBackend(io: CliIO): Promise<'docker' | 'local'> {
  const docker = new Dockerode({ socketPath: io.env.DOCKER_SOCKET ?? '/var/run/docker.sock', timeout: 3000 });
  try {
    await docker.ping();
  } catch {
    return 'local';
  }
  try {
    await docker.getImage(DEMO_IMAGE).inspect();
    return 'docker';
  } catch {
    io.stderr(
      `The Docker engine answers but has no "${DEMO_IMAGE}" image, and none may be pullable here.\n` +
        `Import one from the host's busybox-static to see the demo in containers:\n` +
        `  mkdir -p /tmp/bb/bin && cp /bin/busybox /tmp/bb/bin/ && for a in $(/bin/busybox --list); do ln -sf busybox /tmp/bb/bin/$a; done\n` +
        `  tar -C /tmp/bb -c . | docker import - ${DEMO_IMAGE}\n`,
    );
    return 'local';
  }
}
