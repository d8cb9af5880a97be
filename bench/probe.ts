/**
 * Preloaded (`node -r dist/bench/probe.js …`) into every server the benchmark starts, so each one
 * reports its own resource use over the IPC channel `fork()` opens, without any change to the
 * server's code. Answers `{ type: 'usage', id }` with CPU time, peak RSS and a monotonic timestamp
 * (microseconds, the same clock V8's CPU profiles use, so a profile can be cut to the window).
 */

export interface UsageRequest {
  type: 'usage';
  id: number;
  /** Collect garbage first (needs `--expose-gc`), so heap figures show what is really kept. */
  gc?: boolean;
}

export interface Usage {
  type: 'usage';
  id: number;
  /** process.cpuUsage(): user and system CPU time since the process started, microseconds. */
  cpu: NodeJS.CpuUsage;
  /** process.resourceUsage().maxRSS: the peak resident set size so far, kilobytes. */
  maxRssKb: number;
  /** process.hrtime in microseconds. */
  monotonicUs: number;
  /** Resident set size and V8 heap in use now, bytes. */
  rssBytes: number;
  heapUsedBytes: number;
}

function isUsageRequest(message: unknown): message is UsageRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'usage';
}

if (process.send !== undefined) {
  process.on('message', (message: unknown) => {
    if (!isUsageRequest(message)) return;
    const collect = (globalThis as { gc?: () => void }).gc;
    if (message.gc === true && collect !== undefined) collect();
    const memory = process.memoryUsage();
    const usage: Usage = {
      type: 'usage',
      id: message.id,
      cpu: process.cpuUsage(),
      maxRssKb: process.resourceUsage().maxRSS,
      monotonicUs: Number(process.hrtime.bigint() / 1000n),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    };
    process.send?.(usage);
  });
  // The channel must not keep a server alive once it has closed its listeners.
  process.channel?.unref();
}
