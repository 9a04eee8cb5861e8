import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGate } from './ConnectionGate.js';

describe('ConnectionGate', () => {
  const server = createServer((socket) => { socket.on('error', () => undefined); });
  afterEach(() => { server.close(); });

  const connect = async (gate: ConnectionGate, port: number): Promise<Socket> => {
    let connected = () => {};
    const done = new Promise<void>((resolve) => { connected = resolve; });
    const socket = gate.socketFactory({ host: '127.0.0.1', port, ssl: null as never, onConnect: () => { connected(); } });
    await done;
    return socket;
  };

  it('fails the open connections with an error, so that requests in flight fail at once, and opens no more', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const gate = new ConnectionGate();
    const sockets = [await connect(gate, port), await connect(gate, port)];
    expect(gate.openSockets).toBe(2);
    const errors = sockets.map(async (s) => ((await once(s, 'error')) as [Error])[0].message);
    const closed = sockets.map((s) => new Promise((resolve) => s.once('close', resolve)));

    gate.close();
    expect(await Promise.all(errors)).toEqual(['this Kafka client was stopped for good', 'this Kafka client was stopped for good']);
    await Promise.all(closed);
    expect(gate.openSockets).toBe(0);
    expect(gate.closed).toBe(true);
    expect(() => gate.socketFactory({ host: '127.0.0.1', port, ssl: null as never, onConnect: () => undefined })).toThrow('this Kafka client was stopped for good');
  });

  it('forgets a connection that closed by itself', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const gate = new ConnectionGate();
    const socket = await connect(gate, port);
    socket.end();
    await once(socket, 'close');
    expect(gate.openSockets).toBe(0);
  });
});
