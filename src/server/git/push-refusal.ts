import type { RefCommand } from './receive-commands.js';

/**
 * The answer to a push Slipway refuses before git sees it (an invalid ref name, a database it
 * cannot write), in receive-pack's own report-status format, so the git client shows it the way
 * it shows git's own refusals: ` ! [remote rejected] main -> main (<reason>)` and exits non-zero.
 * With side-band (what git clients ask for) the report travels on band 1 and `message` on band 2,
 * where the client prints it as `remote: <message>`.
 */

const MAX_BAND_DATA = 65515; // side-band-64k: 65520 per packet, less the length and band byte.

function pktLine(data: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  return Buffer.concat([Buffer.from((bytes.length + 4).toString(16).padStart(4, '0'), 'latin1'), bytes]);
}

const FLUSH = Buffer.from('0000', 'latin1');

/** A reason as one short line: report-status has no room for newlines. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u0000]+/g, ' ').slice(0, 500);
}

export function pushRefusal(
  commands: readonly RefCommand[],
  capabilities: readonly string[],
  reason: (command: RefCommand) => string,
  message: string,
): Buffer {
  const report = Buffer.concat([
    pktLine('unpack ok\n'),
    ...commands.map((c) => pktLine(`ng ${c.ref} ${oneLine(reason(c))}\n`)),
    FLUSH,
  ]);
  const sideband = capabilities.includes('side-band-64k') || capabilities.includes('side-band');
  if (!sideband) return report;
  const max = capabilities.includes('side-band-64k') ? MAX_BAND_DATA : 995;
  const packets: Buffer[] = [
    pktLine(Buffer.concat([Buffer.from([2]), Buffer.from(`${oneLine(message)}\n`)])),
  ];
  for (let at = 0; at < report.length; at += max) {
    packets.push(pktLine(Buffer.concat([Buffer.from([1]), report.subarray(at, at + max)])));
  }
  packets.push(FLUSH);
  return Buffer.concat(packets);
}
