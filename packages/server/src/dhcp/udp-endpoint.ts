import dgram from 'node:dgram';

export interface Datagram {
  readonly data: Buffer;
  readonly address: string;
  readonly port: number;
}

/**
 * The daemon's one DHCP socket: UDP, SO_BROADCAST on (answers to clients without an address are broadcast),
 * SO_REUSEADDR so a restarted daemon rebinds at once.
 */
export class UdpEndpoint {
  private constructor(private readonly socket: dgram.Socket) {}

  static async bind(address: string, port: number, onDatagram: (datagram: Datagram) => void): Promise<UdpEndpoint> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 4 * 1024 * 1024 });
    socket.on('message', (data, rinfo) => onDatagram({ data, address: rinfo.address, port: rinfo.port }));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.setBroadcast(true);
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
      socket.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      // The kernel caps buffer sizes (net.core.rmem_max); the default still works, only bursts drop sooner.
    }
    return new UdpEndpoint(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /**
   * Hands one datagram to the kernel. The callback form (no promise per packet) matters on the hot path:
   * it runs for every answer.
   */
  send(data: Uint8Array, address: string, port: number, done: (error: Error | null) => void): void {
    this.socket.send(data, port, address, done);
  }

  /** Stops receiving; sends already handed to the kernel still go out. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
