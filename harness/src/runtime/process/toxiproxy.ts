import { Toxiproxy } from 'toxiproxy-node-client';
import type { LoadedTopology } from '../../../../common/src/topology.ts';
import { proxyName } from '../../../../common/src/topology.ts';
import type { ProxyEndpoint } from '../types.ts';
import type { LaunchSpec } from './child.ts';
import type { ComponentDriver } from './driver.ts';
import { loopback } from './env.ts';
import { probeHttp } from './probes.ts';

/** The Toxiproxy server: its API and every proxy listen on loopback. */
export class ToxiproxyDriver implements ComponentDriver {
  readonly name = 'toxiproxy';
  readonly type = 'toxiproxy';
  readonly stopSignal = 'SIGTERM';
  readonly startTimeoutMs = 10_000;

  constructor(
    readonly port: number,
    private readonly binary: string,
    private readonly cwd: string,
  ) {}

  get url(): string {
    return `http://${loopback}:${this.port}`;
  }

  async prepare(): Promise<void> {}

  launchSpec(): LaunchSpec {
    return {
      command: this.binary,
      args: ['-host', loopback, '-port', String(this.port)],
      env: { PATH: process.env.PATH ?? '' },
      cwd: this.cwd,
      argv0: 'toxiproxy-server',
    };
  }

  probe(): Promise<void> {
    return probeHttp(`${this.url}/version`);
  }

  async initialise(): Promise<void> {}

  /**
   * Creates one proxy per edge, named `<from>-to-<to>`, listening on its port from `proxyPorts` and
   * forwarding to the target's port in `componentPorts`. Returns the proxies keyed by name.
   */
  async createProxies(
    topology: Pick<LoadedTopology, 'edges'>,
    proxyPorts: Record<string, number>,
    componentPorts: Record<string, number>,
  ): Promise<Record<string, ProxyEndpoint>> {
    const client = new Toxiproxy(this.url);
    const proxies: Record<string, ProxyEndpoint> = {};
    for (const edge of topology.edges) {
      const name = proxyName(edge);
      const endpoint: ProxyEndpoint = {
        from: edge.from,
        to: edge.to,
        listen: `${loopback}:${proxyPorts[name]}`,
        upstream: `${loopback}:${componentPorts[edge.to]}`,
      };
      await client.createProxy({ name, listen: endpoint.listen, upstream: endpoint.upstream });
      proxies[name] = endpoint;
    }
    return proxies;
  }
}
