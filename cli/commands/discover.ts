import { writeFile } from 'node:fs/promises';
import { fileError } from '../../engine/records/line-reader.js';
import { DiscoveryService, writeMetaFile, type NetworkDiscovery } from '../../capture/discovery/network-discovery.js';
import { parseCustomProbes, type CustomProbeFile } from '../../capture/probes/custom-probes.js';
import { detectKernelFeatures, type KernelFeatures } from '../../capture/probes/kernel-features.js';
import { loadCatalog } from '../../capture/probes/probe-catalog.js';
import { assertProbesSupported, selectedProbes, supportedVariants } from '../../capture/probes/probe-support.js';
import { bpftraceEnv, bufferSizing, buildBpftraceScript } from '../../capture/probes/script-builder.js';
import { requireString, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { readText } from './generate.js';
import { connectRemote, REMOTE_HELP, REMOTE_OPTIONS } from '../remote-host.js';

// misertrace discover: the original tool's gen-init-data step. Writes the meta file and the
// bpftrace script for a Docker network, and prints the bpftrace command line to run by hand.

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export const discoverCommand: Command = {
  name: 'discover',
  usage: '-n NETWORK [-i CUSTOM.bt] -m META.psv -o PROBES.bt [--probe ID]... [--variant ID]',
  help: `  -n, --network NAME     the Docker network of the application
  -i, --inputbt PATH     custom probes in the original custom-probe format (repeatable)
  -m, --metafile PATH    where to write the meta file (tid|container|ip|container id)
  -o, --outputbt PATH    where to write the bpftrace script
      --probe ID         add a ready-made probe (repeatable): tcp_probe, sched_migrate_task,
                         page_fault_user, block_io, sched_switch (misertrace doctor lists them)
      --variant ID       force a probe variant (fd-btf, sendlen-btf, sendlen-join)
      --docker-socket P  the Docker engine's socket
${REMOTE_HELP}
                         (the meta file and script are written here; the command is for that host)
prints the bpftrace command line on stdout; the gateway and next steps on stderr`,
  options: {
    network: { type: 'string', short: 'n' },
    inputbt: { type: 'string', short: 'i', multiple: true },
    metafile: { type: 'string', short: 'm' },
    outputbt: { type: 'string', short: 'o' },
    probe: { type: 'string', multiple: true },
    variant: { type: 'string' },
    'docker-socket': { type: 'string' },
    ...REMOTE_OPTIONS,
  },
  async run(v, _p, io) {
    const network = requireString(v, 'network', '-n NETWORK', 'discover');
    const metafile = requireString(v, 'metafile', '-m METAFILE', 'discover');
    const outputbt = requireString(v, 'outputbt', '-o OUTPUTBT', 'discover');
    const customPaths = (v['inputbt'] as string[] | undefined) ?? [];
    const custom: CustomProbeFile[] = [];
    for (const p of customPaths) {
      const parsed = parseCustomProbes(await readText(p), p);
      for (const w of parsed.warnings) io.stderr.write(`misertrace: warning: ${w}\n`);
      custom.push(parsed);
    }
    const catalog = loadCatalog();
    const socket = typeof v['docker-socket'] === 'string' ? v['docker-socket'] : undefined;
    // --host: that host's kernel, Docker engine and /proc, over one SSH connection.
    const remote = await connectRemote(v, io.stderr);
    const services = remote ? new (await import('../../capture/remote/remote-services.js')).RemoteServices(remote.host, socket) : null;
    try {
      return await discoverOn(services ? await services.features() : await detectKernelFeatures(), (n) => (services ? services.discover(n) : new DiscoveryService(socket ? { socketPath: socket } : {}).discover(n)));
    } finally {
      remote?.host.dispose();
    }
    async function discoverOn(features: KernelFeatures, discover: (network: string) => Promise<NetworkDiscovery>): Promise<number> {
      const selection = {
        backend: 'bpftrace' as const,
        probes: (v['probe'] as string[] | undefined) ?? [],
        custom,
        ...(typeof v['variant'] === 'string' ? { variant: v['variant'] } : {}),
      };
      const probes = selectedProbes(catalog, selection);
      const variant = supportedVariants(catalog, features, selection)[0]!;
      assertProbesSupported(probes, custom, features, 'bpftrace');
      const d = await discover(network);
      const script = buildBpftraceScript({
        catalog,
        variant,
        tids: d.meta.map((m) => m.tid),
        probes,
        custom,
        // The marker's line tells the person running the script when every probe is attached.
        attachMarker: true,
        header: `MiSeRTrace Explorer script for network ${network}: variant ${variant.id}, ${d.meta.length} threads, ${d.discoveredAt}`,
      });
      await writeMetaFile(metafile, d.meta);
      try {
        await writeFile(outputbt, script.text);
      } catch (e) {
        throw fileError(e, outputbt);
      }
      const sizing = bufferSizing({ threads: d.meta.length, scriptBytes: Buffer.byteLength(script.text), cpus: features.cpus });
      const env = Object.entries(bpftraceEnv(sizing)).map(([k, val]) => `${k}=${val}`);
      const bpftrace = features.bpftrace?.path ?? 'bpftrace';
      const cmd = [...(features.uid === 0 ? env : ['sudo', 'env', ...env]), bpftrace, '-o', 'trace.psv', outputbt].map(shellQuote).join(' ');
      io.stderr.write(
        `network ${network}: ${d.containers.length} containers, ${d.meta.length} threads (${d.containers.map((c) => `${c.name} ${c.threadCount}`).join(', ')})\n` +
          `gateway ${d.gateway}; wrote ${metafile} and ${outputbt} (variant ${variant.id})\n` +
          `capture by hand: run the command below, wait until trace.psv has the line "@misertrace_attached: ..." (every probe\n` +
          `is attached then; "Attaching N probes..." comes before the attaching), run the load, stop with Ctrl-C, then\n` +
          `  misertrace sort -i trace.psv -o sorted.psv\n` +
          `  misertrace generate -i sorted.psv -m ${shellQuote(metafile)} -g ${d.gateway} -o capture.mstrace --script ${shellQuote(outputbt)}\n` +
          `(or all in one: misertrace capture${remote ? ` --host ${shellQuote(remote.host.label)}` : ''} -n ${shellQuote(network)} -o capture.mstrace)\n`,
      );
      if (d.skipped.length > 0) io.stderr.write(`not traced (not running): ${d.skipped.map((s) => `${s.name} (${s.state})`).join(', ')}\n`);
      io.stdout.write(`${cmd}\n`);
      return EXIT.ok;
    }
  },
};
