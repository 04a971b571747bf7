/** Connection files for a kernel: five free TCP ports on 127.0.0.1 and a random HMAC key. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

export interface ConnectionInfo {
  transport: 'tcp';
  ip: '127.0.0.1';
  signature_scheme: 'hmac-sha256';
  key: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  kernel_name: string;
}

/** A port the OS reports free on 127.0.0.1 (there is a small race until the kernel binds it; see startKernel). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe server'));
      });
    });
  });
}

export async function newConnectionInfo(): Promise<ConnectionInfo> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  const [shell, iopub, stdin, control, hb] = [...ports] as [number, number, number, number, number];
  return {
    transport: 'tcp',
    ip: '127.0.0.1',
    signature_scheme: 'hmac-sha256',
    key: randomBytes(32).toString('hex'),
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    kernel_name: 'tslab',
  };
}
