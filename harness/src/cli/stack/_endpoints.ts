import { join } from 'node:path';
import type { StackEndpoints } from '../../runtime/types.ts';
import { paint, print } from '../output.ts';

/** Prints where a running stack's parts listen; the tokens stay in `endpoints.json`. */
export function printEndpoints(endpoints: StackEndpoints): void {
  print(paint('bold', 'components'));
  for (const [name, component] of Object.entries(endpoints.components)) {
    print(`  ${name.padEnd(14)} ${component.url}`);
  }
  if (Object.keys(endpoints.proxies).length > 0) {
    print(paint('bold', 'proxies'));
    for (const [name, proxy] of Object.entries(endpoints.proxies)) {
      print(`  ${name.padEnd(24)} ${proxy.listen} -> ${proxy.upstream}`);
    }
  }
  print(`${paint('bold', 'toxiproxy')}      ${endpoints.toxiproxy.url}`);
  print(`${paint('bold', 'supervisor')}     ${endpoints.supervisor.url}`);
  print(`${paint('bold', 'logs')}           ${join(endpoints.runDir, 'logs')}`);
  print(
    `${paint('bold', 'endpoints')}      ${join(endpoints.runDir, 'endpoints.json')} (tokens inside)`,
  );
}
