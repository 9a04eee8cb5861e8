import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const CLIENT_CLOSED = 'this Kafka client was stopped for good';

/**
 * The connections of one kafkajs client, which can be closed for good: `close()` destroys every open socket
 * (requests in flight fail at once instead of being waited for) and every later connection attempt fails.
 * kafkajs reconnects lazily from inside its retries, restarts and rejoins, and a `disconnect()` does not
 * cancel those; a closed gate is what guarantees that a stopped client never talks to Kafka again.
 * The sockets are made as kafkajs's default factory makes them (TCP or TLS, keep-alive after 60 s).
 */
export class ConnectionGate {
  readonly #sockets = new Set<Socket>();
  #closed = false;

  readonly socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    if (this.#closed) throw new Error(CLIENT_CLOSED);
    // kafkajs passes its `ssl` setting as given: null or absent, a boolean, or TLS options.
    const tls = ssl as ConnectionOptions | boolean | null | undefined;
    const socket = tls === undefined || tls === null || tls === false
      ? netConnect({ host, port }, onConnect)
      : tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...(tls === true ? {} : tls) }, onConnect);
    socket.setKeepAlive(true, 60_000);
    this.#sockets.add(socket);
    socket.once('close', () => { this.#sockets.delete(socket); });
    return socket;
  };

  get closed(): boolean {
    return this.#closed;
  }

  /** Sockets open now (for tests and diagnostics). */
  get openSockets(): number {
    return this.#sockets.size;
  }

  close(): void {
    this.#closed = true;
    // With an error, so that kafkajs fails the socket's requests in flight instead of waiting for them.
    for (const socket of this.#sockets) socket.destroy(new Error(CLIENT_CLOSED));
  }
}
